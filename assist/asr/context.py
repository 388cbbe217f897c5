"""The prompt of the finals: the call's case data plus the last good finals, and the guard against the model
repeating that prompt back.

Whisper decodes better when it is told what was said just before (ufal's whisper_streaming conditions every
decode on the text already committed; bench/asr.py --sweep measures it on our utterance-at-a-time finals). The
risk is feedback: one invented sentence in the prompt seeds the next decode, and a prompt can make the model
copy it instead of listening. So:

- only a final the guards did not flag (``AsrFinal.suspect`` False) enters the context — never a suspect or a
  dropped one, never a partial;
- ``echoes(text)``: a decode that repeats the context (the output is a piece of a previous final, or a long run
  of it) is suspicious; the recogniser then decodes the utterance again without the context and keeps that,
  and neither result enters the context. An agent who really says the same sentence twice gets it back from the
  context-free decode too, so only the invented copies are lost.

Partials never use the context (they stay greedy with the case prompt only: cheap, and thrown away anyway).
"""

from __future__ import annotations

from collections import deque

from assist.text.normalize import strip_punct

# A decode "echoes" the context when this much of it (characters, punctuation aside) is one run copied from the
# previous finals: the whole text, or a stretch of at least ECHO_MIN_RUN characters covering ECHO_SHARE of it.
ECHO_MIN_RUN = 8
ECHO_SHARE = 0.6


def longest_common_run(a: str, b: str) -> int:
    """Length of the longest common substring of ``a`` and ``b`` (dynamic programming; both are short)."""
    if not a or not b:
        return 0
    best = 0
    prev = [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                if cur[j] > best:
                    best = cur[j]
        prev = cur
    return best


class FinalContext:
    """The last ``size`` good finals of one speaker, joined after the base prompt (the case data's sentences)."""

    def __init__(self, size: int, base_text: str = ""):
        self.size = max(0, int(size))
        self.base_text = base_text.strip()
        self._finals: deque[str] = deque(maxlen=self.size or 1)

    def add(self, text: str, *, suspect: bool) -> None:
        """Remember a final's text (the corrected one: it spells the domain words right). Suspect text never."""
        text = (text or "").strip()
        if self.size and text and not suspect:
            self._finals.append(text)

    @property
    def history(self) -> list[str]:
        return list(self._finals) if self.size else []

    def text(self) -> str:
        """The prompt text: base first, history last (the decoder keeps the end of a long prompt: nearest the
        audio)."""
        return " ".join(p for p in (self.base_text, *self.history) if p)

    def echoes(self, text: str) -> bool:
        """True when ``text`` looks copied from the previous finals rather than heard (see the module docstring)."""
        hyp = strip_punct(text or "")
        if not hyp or not self.history:
            return False
        for prev in self.history:
            ref = strip_punct(prev)
            if len(hyp) >= 4 and hyp in ref:
                return True
            run = longest_common_run(hyp, ref)
            if run >= ECHO_MIN_RUN and run >= ECHO_SHARE * len(hyp):
                return True
        return False
