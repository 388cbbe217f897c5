"""Audio test fixtures: the PulseAudio virtual microphone lives in tests/pulse.py (shared with tests/app);
signal helpers in signals.py."""

from tests.pulse import pulse  # noqa: F401  (the fixture)
