"""EngineConfig: everything the engine needs to know, passed in by whoever drives it.

The engine never reads Qt settings or the environment for behaviour; the app maps its QSettings into
this frozen dataclass, the CLI maps its flags. ``replace()`` makes a changed copy.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from datetime import time
from pathlib import Path

from . import paths


def _default_threads() -> int:
    # Leave no core idle but never oversubscribe a 2-core PC: the inference thread owns the cores.
    return max(1, os.cpu_count() or 1)


@dataclass(frozen=True)
class AsrConfig:
    model_dir: Path = field(default_factory=paths.default_model_dir)
    compute_type: str = "int8"
    cpu_threads: int = field(default_factory=_default_threads)
    language: str = "zh"
    # Finals: beam 5 with the previous two good finals as context (issue 18, bench/asr.py --sweep on the dev calls
    # and the dialogues' agent channel, case data on: corrected CER 8.7% → 8.2% dev, 12.2% → 11.5% dialogues,
    # for ~45% more decode CPU in the finals; beam 5 without context helped the dev calls (7.7%) but not the
    # dialogues (13.7%), context with greedy finals made both worse; docs/ARCHITECTURE.md has the table).
    # Partials stay greedy without context: cheap, and replaced within a second anyway.
    beam_size_final: int = 5
    beam_size_partial: int = 1
    # Finals' prompt: the case data's names plus the last N finals of the same speaker that the guards did not
    # flag (assist/asr/context.py); partials keep the case prompt alone.
    final_context: int = 2
    # Finals decoded with this much audio from before the utterance (before its pad) in front of it: 0.3 and
    # 0.5 s measured no better on the dev calls and worse on the dialogues (the sweep's pre=), so off.
    final_lead_s: float = 0.0
    partials: bool = True
    # Utterance segmentation (Silero VAD)
    vad_threshold: float = 0.5
    # End of utterance (assist.asr.endpoint): min_silence_s of silence, held to max_silence_s when the words so far
    # look unfinished (comma, 然后, 如果, 您的…). Scripted speech pauses up to ~0.7 s at commas; shorter splits.
    min_silence_s: float = 0.7
    max_silence_s: float = 1.0
    speech_pad_s: float = 0.2
    max_utterance_s: float = 20.0
    min_utterance_s: float = 0.25
    # Live only: audio waiting for the recogniser beyond this is shed, whole utterances first (see recognizer.py)
    max_backlog_s: float | None = 30.0


@dataclass(frozen=True)
class CallHours:
    """Collection calls are allowed from ``start`` (inclusive) to ``end`` (exclusive), local time."""

    start: time = time(8, 0)
    end: time = time(22, 0)

    def allows(self, t: time) -> bool:
        return self.start <= t < self.end


@dataclass(frozen=True)
class EngineConfig:
    asr: AsrConfig = field(default_factory=AsrConfig)
    call_hours: CallHours = field(default_factory=CallHours)
    missing_agent_id_after_s: float = 30.0
    db_path: Path = field(default_factory=paths.default_db_path)
    record: bool = True
    resources_dir: Path = field(default_factory=paths.resources_dir)
    keep_audio: bool = False            # the session keeps the call's audio (assist/store/audio.py)
    audio_retention_days: int = 30      # kept audio older than this is purged (RecordStore.purge_audio)

    def with_changes(self, **changes) -> EngineConfig:
        return replace(self, **changes)
