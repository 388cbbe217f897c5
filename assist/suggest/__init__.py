"""Next-line suggestions: the script library 话术库 (resources/scripts/), the call-flow model, the Suggester."""

from .library import STAGE_NAMES, WHEN_FLAGS, ScriptLibrary, ScriptLine
from .suggester import Suggester

__all__ = ["STAGE_NAMES", "WHEN_FLAGS", "ScriptLibrary", "ScriptLine", "Suggester"]
