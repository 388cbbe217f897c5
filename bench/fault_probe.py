"""The hostile-tester probe of issue 16, re-runnable: bad files, corrupt databases, a full disk, kill -9 mid-call,
concurrent writers, injection strings, absurd arguments, broken resource files, truncated WAVs… each run
against the console script of this checkout (``python -m assist.cli.main``) in a temp folder of its own.

    .venv/bin/python -m bench.fault_probe [--only WORD] [--timeout 90] [--list] [-v]

Each case is classified:
  clean      exit 0 with a correct result, or a non-zero exit with a short (≤ 3 line) error and no traceback
  traceback  "Traceback (most recent call last)" on stderr
  unclear    a non-zero exit with no message, or a long one
  data lost  calls that were in the database before the case are gone, or the database no longer opens
  hang       no exit within the timeout (killed)
and the totals are printed (exit 1 when anything is not clean). Cases on a full disk mount a tmpfs (root only;
skipped otherwise). A bench tool like the others (python -m bench.fault_probe).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("CALLASSIST_SHARED", ROOT.parent / "shared"))
PY = [sys.executable, "-m", "assist.cli.main"]
CALL_LINES = ["您好，我是华信银行信用卡中心的刘晓雯，工号八零二六。", "请问是王先生本人吗？",
              "您的信用卡已经逾期三十天，欠款三千六百八十元。", "那就明天下午三点前还款，谢谢配合，再见。"]
INJECTIONS = ["'; DROP TABLE calls; --", "\" OR 1=1 --", "还款\" OR \"1\"=\"1", "NEAR(还款 逾期)", "还款*",
              "^还款", "还款 AND NOT 逾期", "{还款}", "还款:逾期", "\x1b[2J\x07还款", "%s%s%n", "../../etc/passwd",
              "$(rm -rf /)", "`id`", "还款\x01逾期", "\u202e款还", "🙂🙂🙂", "a" * 5000, "还 " * 2000, "(" * 500,
              "\"" * 301, "*", "OR", "NOT", "-", "中" * 40_000]


@dataclass
class Case:
    name: str
    argv: list[str]                                  # after `callassist`; "{db}", "{dir}" substituted
    setup: Callable[[Path], None] | None = None      # builds the case's files in its folder
    db: str | None = None                            # a copy of the base database under this name
    env: dict = field(default_factory=dict)
    expect_ok: bool | None = None                    # True: must exit 0; False: must exit non-zero; None: either
    action: Callable[[Case, Path, float], tuple[int | None, str, str]] | None = None   # custom run
    timeout: float | None = None


# ---------------------------------------------------------------- building blocks


def _write(name: str, data: bytes | str, encoding: str = "utf-8"):
    def setup(d: Path) -> None:
        (d / name).write_bytes(data if isinstance(data, bytes) else data.encode(encoding))
    return setup


def _wav_bytes(seconds: float, rate: int = 16000) -> bytes:
    import io

    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        rnd = random.Random(3)
        w.writeframes(bytes(rnd.getrandbits(8) & 0x0F for _ in range(int(seconds * rate) * 2)))
    return buf.getvalue()


def _resources(mutate: Callable[[Path], None]):
    def setup(d: Path) -> None:
        res = d / "resources"
        shutil.copytree(ROOT / "resources", res)
        mutate(res)
    return setup


def _first(res: Path, folder: str) -> Path:
    return sorted((res / folder).glob("*.yaml"))[0]


def _run(argv: list[str], cwd: Path, env: dict, timeout: float) -> tuple[int | None, str, str]:
    try:
        p = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, timeout=timeout,
                           stdin=subprocess.DEVNULL)
        return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    except subprocess.TimeoutExpired as exc:
        return None, (exc.stdout or b"").decode("utf-8", "replace"), (exc.stderr or b"").decode("utf-8", "replace")


def _count_calls(db: Path) -> int | None:
    try:
        con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
        try:
            return con.execute("SELECT count(*) FROM calls").fetchone()[0]
        finally:
            con.close()
    except sqlite3.Error:
        return None


# ---------------------------------------------------------------- custom actions


def _kill_mid_call(delay: float):
    def action(case: Case, d: Path, timeout: float):
        long = d / "long.txt"
        long.write_text("\n".join(CALL_LINES * 400), encoding="utf-8")
        env = case.env
        p = subprocess.Popen([*PY, "analyze", str(long), "--db", str(d / "records.sqlite3")], cwd=d, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        time.sleep(delay)
        p.send_signal(signal.SIGKILL)
        p.wait()
        # the next reader must open it, mark the dead call interrupted, and keep the calls before it
        return _run([*PY, "records", "list", "--db", str(d / "records.sqlite3"), "--json"], d, env, timeout)
    return action


def _concurrent(n: int):
    def action(case: Case, d: Path, timeout: float):
        f = d / "call.txt"
        f.write_text("\n".join(CALL_LINES), encoding="utf-8")
        db = d / "records.sqlite3"
        procs = [subprocess.Popen([*PY, "analyze", str(f), "--db", str(db), "--json"], cwd=d, env=case.env,
                                  stdout=subprocess.DEVNULL, stderr=subprocess.PIPE) for _ in range(n)]
        errs = []
        for p in procs:
            try:
                _, err = p.communicate(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                return None, "", "a writer hung"
            errs.append(err.decode("utf-8", "replace"))
            if p.returncode != 0:
                return p.returncode, "", errs[-1]
        got = _count_calls(db)
        base = case.__dict__.get("_base_calls", 0)
        if got != base + n:
            return 3, "", f"DATA LOST: {got} calls after {n} concurrent writers (expected {base + n})"
        return 0, "", "\n".join(e for e in errs if "Traceback" in e)
    return action


def _full_disk(what: str):
    def action(case: Case, d: Path, timeout: float):
        mnt = d / "small"
        mnt.mkdir()
        r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)], capture_output=True)
        if r.returncode != 0:
            return -1, "", "SKIP: cannot mount a tmpfs (needs root)"
        try:
            db = mnt / "records.sqlite3"
            f = d / "call.txt"
            f.write_text("\n".join(CALL_LINES * (40 if what == "mid" else 1)), encoding="utf-8")
            if what == "mid":
                subprocess.run([*PY, "analyze", str(f), "--db", str(db)], cwd=d, env=case.env, capture_output=True)
            with open(mnt / "filler", "wb") as fh:
                try:
                    fh.write(b"\0" * (1 << 20))
                except OSError:
                    pass
            before = _count_calls(db) or 0
            res = _run([*PY, "analyze", str(f), "--db", str(db)], d, case.env, timeout)
            after = _count_calls(db)
            if after is not None and after < before:
                return 3, res[1], f"DATA LOST: {before} calls before, {after} after"
            return res
        finally:
            subprocess.run(["umount", "-l", str(mnt)], check=False)
    return action


# ---------------------------------------------------------------- the cases


def cases() -> list[Case]:
    out: list[Case] = []
    add = out.append
    # check: texts
    for i, text in enumerate(INJECTIONS):
        add(Case(f"check text #{i} {text[:12]!r}", ["check", text, "--json"], expect_ok=None))
    add(Case("check no text", ["check"], expect_ok=False))
    add(Case("check blank text", ["check", "   "], expect_ok=False))
    # check --file
    files = {"missing": None, "dir": "DIR", "empty": b"", "binary": bytes(range(256)) * 50,
             "gbk": "您好，请问是王先生吗？\n".encode("gbk"), "utf16": "您好\n".encode("utf-16"),
             "bom": "\ufeff您好\n".encode(), "one huge line": ("逾期" * 200_000).encode(),
             "nul bytes": b"\x00" * 1000, "crlf": "您好\r\n还款\r\n".encode(), "tsv header only": b"rules\ttext\n",
             "tsv bad columns": "rules\ttext\n\t\t\t\n逾期\n".encode(), "only blank lines": b"\n\n \n\t\n",
             "latin1": "caf\xe9\n".encode("latin-1"), "10k lines": ("您好\n" * 10_000).encode()}
    for name, data in files.items():
        def setup(d, name=name, data=data):
            if data == "DIR":
                (d / "in").mkdir()
            elif data is not None:
                (d / "in").write_bytes(data)
        add(Case(f"check --file {name}", ["check", "--file", "{dir}/in"], setup=setup))
    add(Case("check --file /dev/null", ["check", "--file", "/dev/null"], expect_ok=False))
    # broken resource folders (check reads them all)
    mutations = {
        "userdict GBK": lambda r: (r / "dict" / "userdict.txt").write_bytes("逾期 20 v\n催收 9 n\n".encode("gbk")),
        "userdict bad line": lambda r: (r / "dict" / "userdict.txt").write_text("逾期 twenty v\n", encoding="utf-8"),
        "userdict binary": lambda r: (r / "dict" / "userdict.txt").write_bytes(bytes(range(256))),
        "userdict empty": lambda r: (r / "dict" / "userdict.txt").write_text("", encoding="utf-8"),
        "userdict huge": lambda r: (r / "dict" / "userdict.txt").write_text("".join(
            f"词{i} 5 n\n" for i in range(50_000)), encoding="utf-8"),
        "rule yaml alias bomb": lambda r: _first(r, "rules").write_text(
            "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
                f"{c}: &{c} [*{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}, *{p}]\n"
                for p, c in zip("abcdefgh", "bcdefghi")), encoding="utf-8"),
        "rule yaml syntax": lambda r: _first(r, "rules").write_text("id: [unclosed\n", encoding="utf-8"),
        "rule yaml empty": lambda r: _first(r, "rules").write_text("", encoding="utf-8"),
        "rule yaml GBK": lambda r: _first(r, "rules").write_bytes(_first(r, "rules").read_text(
            encoding="utf-8").encode("gbk", "replace")),
        "rule yaml deep nesting": lambda r: _first(r, "rules").write_text("[" * 5000 + "]" * 5000, encoding="utf-8"),
        "rule yaml a list": lambda r: _first(r, "rules").write_text("- a\n- b\n", encoding="utf-8"),
        "rule bad pattern": lambda r: _first(r, "rules").write_text(_first(r, "rules").read_text(
            encoding="utf-8").replace("patterns:", "patterns:\n  - \"a +\"", 1), encoding="utf-8"),
        "rule yaml python tag": lambda r: _first(r, "rules").write_text(
            "!!python/object/apply:os.system ['echo pwned']\n", encoding="utf-8"),
        "rules folder gone": lambda r: shutil.rmtree(r / "rules"),
        "rules folder a file": lambda r: (shutil.rmtree(r / "rules"), (r / "rules").write_text("x")),
        "stage yaml alias": lambda r: _first(r, "stages").write_text("a: &x 1\nb: *x\n", encoding="utf-8"),
        "stage yaml binary": lambda r: _first(r, "stages").write_bytes(b"\xff\xfe\x00" * 100),
        "detector model corrupt": lambda r: (r / "detector" / "model.npz").write_bytes(b"PK\x03\x04 not a zip"),
        "detector model gone": lambda r: (r / "detector" / "model.npz").unlink(),
        "resources empty folder": lambda r: [shutil.rmtree(p) if p.is_dir() else p.unlink() for p in r.iterdir()],
    }
    for name, mutate in mutations.items():
        add(Case(f"check with {name}", ["check", "您好，我是工号八零二六"], setup=_resources(mutate),
                 env={"CALLASSIST_RESOURCES": "{dir}/resources"}))
    # analyze: transcripts
    txts = {"empty": b"", "blank lines": b"\n\n\n", "gbk": "您好，请问是王先生吗？\n".encode("gbk"),
            "binary": bytes(range(256)) * 20, "nul": b"\0" * 100, "one huge line": ("还款" * 100_000).encode(),
            "control chars": "\x1b[2J\x07您好\x08\x7f\n".encode(), "injection lines": "\n".join(INJECTIONS[:20]).encode(),
            "utf16": "您好\n".encode("utf-16")}
    for name, data in txts.items():
        add(Case(f"analyze .txt {name}", ["analyze", "{dir}/call.txt", "--db", "{db}"], setup=_write("call.txt", data),
                 db="records.sqlite3"))
    add(Case("analyze missing file", ["analyze", "{dir}/nope.wav", "--db", "{db}"], db="r.sqlite3", expect_ok=False))
    add(Case("analyze a directory", ["analyze", "{dir}", "--db", "{db}"], db="r.sqlite3", expect_ok=False))
    add(Case("analyze /dev/null", ["analyze", "/dev/null", "--db", "{db}", "--no-record"], expect_ok=False))
    # analyze: audio files (the real model)
    d06 = SHARED / "data" / "dev" / "d06.wav"
    full = d06.read_bytes() if d06.is_file() else _wav_bytes(5)
    for keep in (0, 20, 44, 45, 100, 1000, 10_000, 100_000, 400_000, len(full) - 1):
        add(Case(f"analyze WAV cut to {keep} bytes", ["analyze", "{dir}/cut.wav", "--db", "{db}"],
                 setup=_write("cut.wav", full[:keep]), db="records.sqlite3", timeout=240))
    audio_bad = {"random bytes .wav": os.urandom(50_000), "text as .wav": b"hello " * 1000,
                 "RIFF header garbage": b"RIFF\xff\xff\xff\xffWAVEfmt " + os.urandom(2000),
                 "zero sample rate": bytearray(_wav_bytes(1)), "mp3 garbage": b"ID3\x03\x00" + os.urandom(5000),
                 "flac garbage": b"fLaC" + os.urandom(5000), "ogg garbage": b"OggS" + os.urandom(5000),
                 "silence 3 s": _wav_bytes(3), "8 kHz tone": _wav_bytes(2, 8000), "1 sample": _wav_bytes(1 / 16000)}
    zr = audio_bad["zero sample rate"]
    zr[24:28] = b"\0\0\0\0"
    audio_bad["zero sample rate"] = bytes(zr)
    for name, data in audio_bad.items():
        ext = ".mp3" if "mp3" in name else ".flac" if "flac" in name else ".ogg" if "ogg" in name else ".wav"
        add(Case(f"analyze {name}", ["analyze", "{dir}/a" + ext, "--db", "{db}"], setup=_write("a" + ext, data),
                 db="records.sqlite3", timeout=240))
    # analyze: case data
    case_json = {"a directory": "DIR", "missing": None, "not json": b"{not json", "deep nesting": b"[" * 100_000,
                 "a list": b"[1, 2]", "5000-digit amount": json.dumps({"amount": int("9" * 4000)}).encode()
                 if sys.get_int_max_str_digits() == 0 or True else b"",
                 "negative amount": json.dumps({"amount": -5}).encode(), "NaN amount": b'{"amount": NaN}',
                 "Infinity amount": b'{"amount": Infinity}', "1M-char name": json.dumps({"debtor_name": "王" * 1_000_000}).encode(),
                 "name a list": json.dumps({"debtor_name": ["a"]}).encode(), "unknown key": b'{"hack": 1}',
                 "control chars": json.dumps({"debtor_name": "\x1b[2J王\x07"}).encode(), "gbk": '{"debtor_name": "王"}'.encode("gbk"),
                 "overdue days huge": json.dumps({"overdue_days": 10 ** 30}).encode(), "empty": b""}
    for name, data in case_json.items():
        def setup(d, data=data):
            (d / "call.txt").write_text("\n".join(CALL_LINES), encoding="utf-8")
            if data == "DIR":
                (d / "case.json").mkdir()
            elif data is not None:
                (d / "case.json").write_bytes(data)
        add(Case(f"analyze --case {name}", ["analyze", "{dir}/call.txt", "--case", "{dir}/case.json", "--db", "{db}"],
                 setup=setup, db="records.sqlite3"))
    for value in ("9999-12-31T23:59:59-23:59", "0001-01-01T00:00:00", "yesterday", "", "2026-02-30T10:00:00",
                  "2026-01-01T25:00:00", "1e9", "2026-01-01T10:00:00+99:00", "-1", "2026-01-01 10:00:00" * 100):
        add(Case(f"analyze --started-at {value[:20]!r}", ["analyze", "{dir}/call.txt", "--started-at", value,
                                                          "--db", "{db}"],
                 setup=_write("call.txt", "\n".join(CALL_LINES)), db="records.sqlite3"))
    for ch in ("-1", "99", "abc", "99999999999999999999", "1.5"):
        add(Case(f"analyze --channel {ch}", ["analyze", str(d06), "--channel", ch, "--no-record"], timeout=240))
    for name, setup in {"missing": None, "empty dir": lambda d: (d / "m").mkdir(),
                        "a file": _write("m", b"x"), "garbage model.bin": lambda d: (
                            shutil.copytree(ROOT / "models" / "whisper-base", d / "m", symlinks=False),
                            (d / "m" / "model.bin").write_bytes(os.urandom(10_000)))}.items():
        add(Case(f"analyze --model {name}", ["analyze", "{dir}/call.wav", "--model", "{dir}/m", "--no-record"],
                 setup=(lambda d, s=setup: ((d / "call.wav").write_bytes(_wav_bytes(2)), s and s(d))),
                 expect_ok=False, timeout=240))
    # records on broken databases
    dbs = {"missing": None, "a directory": "DIR", "empty file": b"", "random bytes": os.urandom(40_000),
           "text file": b"not a database\n" * 100, "truncated": "TRUNC", "damaged page": "DAMAGE",
           "read-only": "RO", "future schema": "FUTURE"}
    commands = [["records", "list"], ["records", "search", "还款"], ["records", "show", "x"],
                ["records", "export", "--format", "csv"], ["records", "export", "--format", "json"]]

    def db_setup(kind, data):
        def setup(d: Path) -> None:
            db = d / "records.sqlite3"
            if data == "DIR":
                db.mkdir()
            elif data in ("TRUNC", "DAMAGE", "RO", "FUTURE"):
                shutil.copy(d / ".base.sqlite3", db)
                if data == "TRUNC":
                    with open(db, "r+b") as fh:
                        fh.truncate(db.stat().st_size // 2)
                elif data == "DAMAGE":
                    with open(db, "r+b") as fh:
                        fh.seek(4096 * 3)
                        fh.write(os.urandom(4096))
                elif data == "RO":
                    db.chmod(0o400)
                    d.chmod(0o500)
                else:
                    con = sqlite3.connect(db)
                    con.execute("PRAGMA user_version = 999")
                    con.close()
            elif data is not None:
                db.write_bytes(data)
        return setup
    for kind, data in dbs.items():
        for cmd in commands:
            add(Case(f"{' '.join(cmd[:2])} on {kind} db", [*cmd, "--db", "{dir}/records.sqlite3"],
                     setup=db_setup(kind, data)))
        db_ready = db_setup(kind, data)   # bound now: the loop variables move on
        add(Case(f"analyze into {kind} db", ["analyze", "{dir}/call.txt", "--db", "{dir}/records.sqlite3"],
                 setup=lambda d, s=db_ready: (_write("call.txt", "\n".join(CALL_LINES))(d), s(d))))
    add(Case("records recover damaged", ["records", "recover", "--db", "{dir}/records.sqlite3", "--out", "{dir}/new.db"],
             setup=db_setup("damaged page", "DAMAGE")))
    add(Case("records recover onto itself", ["records", "recover", "--db", "{db}", "--out", "{db}"], db="r.sqlite3",
             expect_ok=False))
    # records: injections and absurd arguments on a good database
    for i, q in enumerate(INJECTIONS):
        add(Case(f"records search injection #{i} {q[:12]!r}", ["records", "search", q, "--db", "{db}"],
                 db="records.sqlite3"))
        add(Case(f"records search --sounds-like #{i}", ["records", "search", q, "--sounds-like", "--db", "{db}"],
                 db="records.sqlite3"))
    add(Case("records search 2000 terms", ["records", "search", " ".join(f"词{i}" for i in range(2000)), "--db", "{db}"],
             db="records.sqlite3"))
    for lim in ("-1", "0", "99999999999999999999", "abc", "1e3"):
        add(Case(f"records list --limit {lim}", ["records", "list", "--limit", lim, "--db", "{db}"], db="records.sqlite3"))
        add(Case(f"records search --limit {lim}", ["records", "search", "还款", "--limit", lim, "--db", "{db}"],
                 db="records.sqlite3"))
    for since in ("2026-13-01", "yesterday", "9999-12-31", "0000-00-00", "'; DROP TABLE calls; --", "2026-01-01" * 50):
        add(Case(f"records list --since {since[:16]!r}", ["records", "list", "--since", since, "--db", "{db}"],
                 db="records.sqlite3"))
    for name, value in {"agent injection": "' OR 1=1 --", "debtor %": "%", "rule unknown": "nope",
                        "stage unknown": "nope", "debtor 40k chars": "王" * 40_000}.items():
        flag = "--" + name.split()[0]
        add(Case(f"records list {flag} {name}", ["records", "list", flag, value, "--db", "{db}"], db="records.sqlite3"))
    for name, prefix in {"empty id": "", "sql wildcard": "%", "underscore": "_", "control chars": "\x1b[2J",
                         "100k id": "x" * 100_000}.items():
        add(Case(f"records show {name}", ["records", "show", prefix, "--db", "{db}"], db="records.sqlite3"))
    # export targets
    exports = {"the database": "{db}", "its WAL": "{db}-wal", "its SHM": "{db}-shm", "a directory": "{dir}",
               "another sqlite file": "{dir}/.base.sqlite3", "a missing folder": "{dir}/no/such/out.csv",
               "/dev/full": "/dev/full", "existing file": "{dir}/exists.csv"}
    for name, target in exports.items():
        add(Case(f"records export --out {name}", ["records", "export", "--format", "csv", "--out", target,
                                                  "--db", "{db}"], db="records.sqlite3",
                 setup=_write("exists.csv", "keep me\n"), expect_ok=False if name != "a missing folder" else None))
    add(Case("records audio no such call", ["records", "audio", "nope", "--out", "{dir}/x.wav", "--db", "{db}"],
             db="records.sqlite3", expect_ok=False))
    add(Case("records purge-audio --days -5", ["records", "purge-audio", "--days", "-5", "--db", "{db}"],
             db="records.sqlite3"))
    add(Case("records purge-audio --days huge", ["records", "purge-audio", "--days", "99999999999999999999", "--db",
                                                 "{db}"], db="records.sqlite3"))
    # argument soup
    for argv in (["nonsense"], ["check", "--json", "--json"], ["records"], ["records", "list", "--db"],
                 ["analyze"], ["model", "verify", "--model", "/nonexistent"], ["model", "list"], ["--help"],
                 ["records", "list", "--status", "dead"], ["analyze", "--realtime"]):
        add(Case("argv " + " ".join(argv), argv))
    # kill -9, concurrent writers, full disk
    for delay in (0.5, 1.5, 3.0, 6.0):
        add(Case(f"kill -9 analyze after {delay} s", [], db="records.sqlite3", action=_kill_mid_call(delay)))
    for n in (2, 4):
        add(Case(f"{n} concurrent writers", [], db="records.sqlite3", action=_concurrent(n), timeout=300))
    for what in ("fresh", "mid"):
        add(Case(f"full disk ({what} database)", [], action=_full_disk(what), timeout=300))
    return out


# ---------------------------------------------------------------- running


def classify(case: Case, rc: int | None, err: str, before: int | None, after: int | None) -> str:
    if rc is None:
        return "hang"
    if rc == -1 and err.startswith("SKIP"):
        return "skipped"
    if "DATA LOST" in err or (before is not None and (after is None or after < before)):
        return "data lost"
    if "Traceback (most recent call last)" in err:
        return "traceback"
    if rc == 0:
        return "clean" if case.expect_ok is not False else "unclear"
    lines = [line for line in err.strip().splitlines() if line.strip()]
    if lines and lines[0].startswith("usage:") and ": error: " in lines[-1]:
        lines = lines[-1:]   # argparse: its usage block, then the one-line error
    if case.expect_ok is True or not lines or len(lines) > 3:
        return "unclear"
    return "clean"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--only", help="run the cases whose name contains this")
    ap.add_argument("--timeout", type=float, default=90.0)
    ap.add_argument("--list", action="store_true")
    ap.add_argument("-v", "--verbose", action="store_true")
    args = ap.parse_args()
    todo = [c for c in cases() if not args.only or args.only in c.name]
    if args.list:
        print("\n".join(c.name for c in todo))
        print(f"{len(todo)} cases")
        return 0
    totals: dict[str, int] = {}
    bad = []
    with tempfile.TemporaryDirectory(prefix="fault-probe-") as tmp:
        tmp = Path(tmp)
        env = dict(os.environ, PYTHONPATH=str(ROOT), CALLASSIST_DATA_DIR=str(tmp / "data"),
                   CALLASSIST_CONFIG_DIR=str(tmp / "config"), CALLASSIST_LOG_DIR=str(tmp / "logs"),
                   CALLASSIST_TEAM_CONFIG=str(tmp / "none"))
        env.pop("CALLASSIST_RESOURCES", None)
        base = tmp / "base.sqlite3"
        (tmp / "call.txt").write_text("\n".join(CALL_LINES), encoding="utf-8")
        for _ in range(2):
            subprocess.run([*PY, "analyze", str(tmp / "call.txt"), "--db", str(base)], env=env, cwd=tmp, check=True,
                           capture_output=True)
        base_calls = _count_calls(base)
        t_all = time.perf_counter()
        for i, case in enumerate(todo):
            d = tmp / f"case{i:03d}"
            d.mkdir()
            shutil.copy(base, d / ".base.sqlite3")
            db = d / (case.db or "records.sqlite3")
            if case.db:
                shutil.copy(base, db)
            case_env = dict(env, **{k: v.replace("{dir}", str(d)) for k, v in case.env.items()})
            case.env = case_env
            case.__dict__["_base_calls"] = base_calls
            if case.setup:
                case.setup(d)
            before = _count_calls(db) if case.db else None
            timeout = case.timeout or args.timeout
            t = time.perf_counter()
            if case.action:
                rc, out, err = case.action(case, d, timeout)
            else:
                argv = [*PY, *[a.replace("{db}", str(db)).replace("{dir}", str(d)) for a in case.argv]]
                rc, out, err = _run(argv, d, case_env, timeout)
            after = _count_calls(db) if case.db else None
            verdict = classify(case, rc, err, before, after)
            totals[verdict] = totals.get(verdict, 0) + 1
            first = next((line for line in err.strip().splitlines()[-1:]), "")
            if verdict not in ("clean", "skipped"):
                bad.append((case.name, verdict, rc, err.strip()[-1500:]))
            if args.verbose or verdict not in ("clean", "skipped"):
                print(f"[{verdict:9s}] {case.name}  (exit {rc}, {time.perf_counter() - t:.1f} s)  {first[:160]}",
                      flush=True)
            for p in (d, *d.rglob("*")):   # read-only cases leave folders we must be able to remove
                try:
                    p.chmod(0o700 if p.is_dir() else 0o600)
                except OSError:
                    pass
            shutil.rmtree(d, ignore_errors=True)
    tried = sum(v for k, v in totals.items() if k != "skipped")
    print(f"\n{len(todo)} cases, {tried} tried in {time.perf_counter() - t_all:.0f} s: "
          + ", ".join(f"{k} {totals.get(k, 0)}" for k in ("clean", "traceback", "data lost", "hang", "unclear",
                                                          "skipped")))
    for name, verdict, rc, err in bad:
        print(f"\n--- {verdict}: {name} (exit {rc})\n{err}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
