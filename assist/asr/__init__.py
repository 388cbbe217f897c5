"""Streaming Mandarin recognition: Silero VAD segmentation, Whisper partials/finals on one thread, guards.

See ``core.py`` for the scheduling (synchronous: feed audio, get events), ``recognizer.py`` for the thread that
drives it on a call, ``vad.py`` for segmentation, ``decoder.py`` for the short-window Whisper decode,
``guards.py`` for hallucination/repetition filters, ``prompt.py`` for the prompt.
"""

from .core import AsrFinal, AsrHealth, AsrPartial, RecognizerCore
from .recognizer import StreamingRecognizer

__all__ = ["AsrFinal", "AsrHealth", "AsrPartial", "RecognizerCore", "StreamingRecognizer"]
