from tests.pulse import pulse  # noqa: F401  (the PulseAudio fixture, shared with tests/audio and tests/app)
