"""Streaming Mandarin recognition: Silero VAD segmentation, Whisper partials/finals on one thread, guards.

See ``recognizer.py`` for the threading and scheduling, ``vad.py`` for segmentation, ``decoder.py`` for the
short-window Whisper decode, ``guards.py`` for hallucination/repetition filters, ``prompt.py`` for the prompt.
"""

from .recognizer import AsrFinal, AsrHealth, AsrPartial, StreamingRecognizer

__all__ = ["AsrFinal", "AsrHealth", "AsrPartial", "StreamingRecognizer"]
