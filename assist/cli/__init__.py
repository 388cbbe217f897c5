"""The ``callassist`` console script (contract: docs/spec/cli.md)."""
