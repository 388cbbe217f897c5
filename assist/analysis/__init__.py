"""Call analysis: compliance rules, call stage, promise to pay, checklist of required elements.

The names below are imported on first use (PEP 562): ``assist.labels`` and the records commands need only
``assist.analysis.state``, and importing the analyser (rule patterns, pinyin tables, jieba) cost them about
a second of start-up.
"""

from __future__ import annotations

__all__ = ["CallAnalyzer", "RuleHit", "check_text", "load_resources"]


def __getattr__(name: str):
    if name in ("CallAnalyzer", "check_text", "load_resources"):
        from . import analyzer

        return getattr(analyzer, name)
    if name == "RuleHit":
        from .rules import RuleHit

        return RuleHit
    raise AttributeError(f"module 'assist.analysis' has no attribute {name!r}")
