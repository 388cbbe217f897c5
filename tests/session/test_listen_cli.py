"""``callassist listen`` as a separate process on a real PulseAudio server (tests/pulse.py): the virtual mic is
the agent, a null sink stands for the softphone's output and its monitor is ``--debtor-source``. The debtor's
objection comes out as a debtor utterance and a debtor cue in the JSON stream; a missing source is a warning
and the call still runs."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from assist import paths
from tests.pulse import channel_wav

pytestmark = pytest.mark.pulse
SR = 16000
SOFTPHONE = "softphone_out"


def _listen(*args, **kw) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "assist.cli.main", "listen", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
                            cwd=paths.PROJECT_ROOT, env=dict(os.environ), **kw)


def test_list_sources_names_the_output_monitors(pulse):
    pulse.modules.append(pulse.pactl("load-module", "module-null-sink", f"sink_name={SOFTPHONE}"))
    p = _listen("--list-sources")
    out, err = p.communicate(timeout=60)
    assert p.returncode == 0, err
    specs = [line.split("\t")[0] for line in out.splitlines()]
    assert specs[:2] == ["(none)", "monitor"] and f"monitor:{SOFTPHONE}.monitor" in specs


@pytest.mark.model
def test_listen_hears_the_debtor_through_the_monitor(pulse, shared_dir, tmp_path):
    pulse.modules.append(pulse.pactl("load-module", "module-null-sink", f"sink_name={SOFTPHONE}"))
    dlg = shared_dir / "data" / "dialogues" / "dlg05.flac"
    agent, debtor = tmp_path / "agent.wav", tmp_path / "debtor.wav"
    channel_wav(dlg, 0, 11.8, 22.5, agent)      # 你借的一万二…  / 我说了没钱！
    channel_wav(dlg, 1, 11.8, 22.5, debtor)
    p = _listen("--json", "--no-record", "--seconds", "19", "--debtor-source", f"monitor:{SOFTPHONE}.monitor",
                "--started-at", "2026-11-17T19:10:00+08:00")
    # start playing once the call has started (the model is loaded by then)
    first = p.stdout.readline()
    assert json.loads(first)["event"] == "call_started", first + p.stderr.read()
    players = [pulse.play(agent), pulse.play(debtor, sink=SOFTPHONE)]
    out, err = p.communicate(timeout=120)
    for pl in players:
        pl.wait(10)
    assert p.returncode == 0, err
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    utts = [e for e in events if e["event"] == "utterance"]
    assert any(u["speaker"] == "agent" for u in utts), utts
    debtor_utts = [u for u in utts if u["speaker"] == "debtor"]
    assert any("没钱" in u["text"] for u in debtor_utts), utts
    assert any(e["event"] == "debtor" and e["objection"] == "no_money" for e in events), events
    assert events[-1]["event"] == "call_ended"


@pytest.mark.model
def test_listen_with_a_missing_source_warns_and_goes_on(pulse):
    p = _listen("--json", "--no-record", "--seconds", "1", "--debtor-source", "monitor:unplugged.monitor")
    out, err = p.communicate(timeout=120)
    assert p.returncode == 0, err
    assert "对方声音来源不可用：找不到扬声器输出“unplugged.monitor”" in err and "只识别坐席一方" in err
    events = [json.loads(line) for line in out.splitlines() if line.strip()]
    assert events[0]["event"] == "call_started" and events[-1]["event"] == "call_ended"
