"""callassist engine: capture, streaming ASR, analysis, suggestions, session, records.

Qt-free by design: nothing under this package may import PySide6 (a test enforces it).
"""

__version__ = "0.1.0"

# Offline by design: the Hugging Face hub reads this when faster-whisper first imports it, which may happen
# (VAD, tokenizer) before assist.model.load_whisper runs; set it before anything can.
import os as _os

_os.environ.setdefault("HF_HUB_OFFLINE", "1")
