"""Call analysis: compliance rules, call stage, promise to pay, checklist of required elements."""

from .analyzer import CallAnalyzer, check_text, load_resources
from .rules import RuleHit

__all__ = ["CallAnalyzer", "RuleHit", "check_text", "load_resources"]
