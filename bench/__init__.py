"""Benchmarks, evaluations and the detector's training: tools run from a checkout, never shipped.

Run each from the repository root as a module, e.g. ``.venv/bin/python -m bench.asr --calls d01`` or
``.venv/bin/python -m bench.eval_analysis``. ``-m`` puts the root on ``sys.path``, so ``bench.*``, ``tests.*``
(a few reuse test helpers, e.g. the throwaway PostgreSQL) and the editable ``assist`` install resolve without
path edits; the package is left out of the wheel and the Debian package (``pyproject.toml`` finds ``assist*`` and
``app*`` only) because it needs the dev data and corpus of a checkout. ``tests/bench/`` smoke-tests each one.
"""
