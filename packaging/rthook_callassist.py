"""PyInstaller run-time hook: runs in the frozen app before its entry point.

- PortAudio: sounddevice looks the library up with ctypes.util.find_library, which only knows the system's
  libraries. The build bundles libportaudio (Linux: the system's libportaudio.so.2; Windows: the wheel's DLL,
  found by sounddevice itself), so answer with the bundled copy first: the app runs on a PC without
  libportaudio2 installed.
- onnxruntime (the VAD) starts Microsoft's 1DS telemetry on import, which writes a session file `.ses` into
  the temp folder and has an HTTP uploader: ORT_DISABLE_TELEMETRY=1 turns it off before anything imports it.
- jieba writes its dictionary cache (jieba.cache) into the temp folder; the installed app keeps it in the
  user's cache folder instead, beside nothing else of the system.
"""


def _callassist_rthook() -> None:
    import ctypes.util
    import os
    import sys

    base = getattr(sys, "_MEIPASS", None)
    if not base:
        return
    os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")

    if sys.platform.startswith("linux"):
        bundled = os.path.join(base, "libportaudio.so.2")
        if os.path.isfile(bundled):
            _find = ctypes.util.find_library

            def find_library(name):
                if name == "portaudio":
                    return bundled
                return _find(name)

            ctypes.util.find_library = find_library

    try:
        import jieba
        from platformdirs import user_cache_dir
    except Exception:   # the app reports its own import errors; this hook must never be the one that fails
        return
    cache = user_cache_dir("callassist", appauthor=False)
    try:
        os.makedirs(cache, exist_ok=True)
    except OSError:
        return
    init = jieba.Tokenizer.__init__

    def __init__(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.tmp_dir = cache

    jieba.Tokenizer.__init__ = __init__
    jieba.dt.tmp_dir = cache


_callassist_rthook()
del _callassist_rthook
