"""Loading Whisper strictly offline, and the errors a user gets when the model is missing or broken."""

from __future__ import annotations

import os
import shutil

import pytest

from assist.config import AsrConfig
from assist.model import ModelError, load_whisper
from assist.text.normalize import to_simplified


@pytest.mark.model
def test_real_model_transcribes_real_speech(model_dir, shared_dir):
    model = load_whisper(model_dir, AsrConfig(model_dir=model_dir))
    assert os.environ.get("HF_HUB_OFFLINE") == "1"
    segments, _ = model.transcribe(
        str(shared_dir / "data" / "real" / "aishell-BAC009S0724W0121.wav"),
        language="zh", beam_size=1, vad_filter=False,
    )
    text = to_simplified("".join(s.text for s in segments))
    # Plain base mishears 房地产 (domain biasing lives in the ASR engine); these two it gets.
    assert "协会" in text and "广州" in text, text


def test_missing_model_names_the_fix(tmp_path):
    with pytest.raises(ModelError) as e:
        load_whisper(tmp_path / "nowhere", AsrConfig(model_dir=tmp_path / "nowhere"))
    assert "callassist model fetch" in str(e.value) and "make model" in str(e.value)


def test_default_dir_comes_from_config(tmp_path):
    with pytest.raises(ModelError, match="nowhere"):
        load_whisper(None, AsrConfig(model_dir=tmp_path / "nowhere"))


def test_incomplete_model_refused(tmp_path, model_dir):
    d = tmp_path / "m"
    d.mkdir()
    (d / "model.bin").symlink_to(model_dir / "model.bin")
    shutil.copy(model_dir / "config.json", d)
    with pytest.raises(ModelError, match=r"tokenizer\.json is missing.*callassist model fetch"):
        load_whisper(d)


def test_corrupt_model_bin_refused(tmp_path, model_dir):
    d = tmp_path / "m"
    d.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(model_dir / name, d)
    (d / "model.bin").write_bytes(b"\x00" * 4096)
    with pytest.raises(ModelError, match=r"cannot be loaded.*callassist model verify"):
        load_whisper(d)


@pytest.mark.model
def test_hand_copied_base_is_recognized_and_test_loaded(tmp_path, model_dir):
    from assist.model import install_from, list_models

    info = install_from(model_dir, name="base-copy", models_dir=tmp_path / "models", test_load=True, log=None)
    assert info.status == "verified"  # same bytes as the published whisper-base
    assert [(m.name, m.status) for m in list_models(tmp_path / "models")] == [("base-copy", "verified")]


def test_test_load_refuses_a_model_that_does_not_load(tmp_path, model_dir):
    from assist.model import install_from

    src = tmp_path / "broken"
    src.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.json"):
        shutil.copy(model_dir / name, src)
    (src / "model.bin").write_bytes(b"\x00" * 4096)
    with pytest.raises(ModelError, match="cannot be loaded"):
        install_from(src, models_dir=tmp_path / "models", test_load=True, log=None)
    assert not (tmp_path / "models" / "broken").exists()


def test_hub_is_offline_whoever_imports_faster_whisper_first():
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if not k.startswith("HF_")}
    code = "import assist, faster_whisper, huggingface_hub.constants as c; print(c.HF_HUB_OFFLINE)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=120)
    assert out.stdout.strip() == "True", out.stderr


@pytest.mark.model
def test_model_changed_since_install_is_refused_before_it_runs_deaf(tmp_path, model_dir, dev_dir):
    """Bytes overwritten inside model.bin: it may still load and then recognise nothing. The install-time
    manifest (size, mtime, sha256) catches it at load; an intact copy (new mtime, same bytes) still loads."""
    import os
    import subprocess
    import sys
    import wave

    from assist import paths

    d = tmp_path / "m"
    d.mkdir()
    for name in ("config.json", "tokenizer.json", "vocabulary.json", ".callassist-model.json", "model.bin"):
        shutil.copy(model_dir / name, d)
    load_whisper(d)                                   # a faithful copy: hashed once, accepted
    with open(d / "model.bin", "r+b") as fh:   # inside a weight tensor: CTranslate2 still loads it
        fh.seek(100 * 1024 * 1024)
        fh.write(b"\xff" * 4096)
    with pytest.raises(ModelError, match=r"is corrupt: model.bin changed since it was installed"):
        load_whisper(d)
    clip = tmp_path / "clip.wav"
    with wave.open(str(dev_dir / "d06.wav")) as w:
        params, frames = w.getparams(), w.readframes(3 * w.getframerate())
    with wave.open(str(clip), "wb") as out:
        out.setparams(params)
        out.writeframes(frames)
    proc = subprocess.run([sys.executable, "-m", "assist.cli.main", "analyze", str(clip), "--model", str(d),
                           "--no-record"], capture_output=True, text=True, encoding="utf-8", timeout=120,
                          cwd=paths.PROJECT_ROOT, env=dict(os.environ))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "corrupt" in proc.stderr, proc.stderr
