"""callassist desktop client (PySide6). Presents the engine (`assist/`) through `app.bridge.SessionBridge`."""
