"""The mono-mix speaker split (assist/audio/separate.py) on a real dialogue's mono mix."""

from __future__ import annotations

import numpy as np


def test_a_mono_mix_is_split_by_speaker_turns(shared_dir):
    # dlg05's mono mix: the split gives most of each labelled turn's speech to the right speaker (all dev
    # dialogues: bench/eval_mono_split.py)
    import json

    from assist.audio import FileSource
    from assist.audio.separate import speaker_turns

    dialogues = shared_dir / "data" / "dialogues"
    call = next(c for c in json.loads((dialogues / "manifest.json").read_text(encoding="utf-8")) if c["id"] == "dlg05")
    fs = FileSource(dialogues / call["audio_mono"])
    blocks = []
    fs.start(blocks.append)
    fs.wait()
    turns = speaker_turns(np.concatenate(blocks))
    right = total = 0.0
    for t in call["turns"]:
        total += t["end"] - t["start"]
        right += sum(max(0.0, min(t["end"], s.end) - max(t["start"], s.start)) for s in turns if s.speaker == t["speaker"])
    assert right / total > 0.8, right / total
    assert turns[0].speaker == "agent" and {s.speaker for s in turns} == {"agent", "debtor"}
