"""callassist engine: capture, streaming ASR, analysis, suggestions, session, records.

Qt-free by design: nothing under this package may import PySide6 (a test enforces it).
"""

__version__ = "0.1.0"
