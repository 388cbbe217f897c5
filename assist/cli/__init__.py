"""The ``callassist`` console script (contract: spec/cli.md)."""
