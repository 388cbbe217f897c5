"""`callassist check` as script authors run it: the installed console script, JSON lines, lines.tsv files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from assist import paths

EXE = Path(sys.executable).parent / "callassist"


def check(*args, timeout=180):
    return subprocess.run([str(EXE), "check", *args], capture_output=True, text=True, timeout=timeout,
                          cwd=paths.PROJECT_ROOT)


def test_check_json_texts():
    res = check("--json", "我是派出所的，你今天不还就跟我们走一趟。", "我们不会联系您的家人。")
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["我是派出所的，你今天不还就跟我们走一趟。", "我们不会联系您的家人。"]
    assert {r["rule"] for r in rows[0]["rules"]} == {"impersonation", "threat"}
    for r in rows[0]["rules"]:
        assert set(r) == {"rule", "severity", "evidence", "by"} and r["severity"] == "critical" and r["evidence"]
        assert r["by"] in ("pattern", "model")
    assert rows[1]["rules"] == []
    assert all(r["stage"] in ("greet", "confirm_debt", "willingness", "plan", "consequence", "support", "close")
               for r in rows)


def test_check_file_in_lines_tsv_format(tmp_path, dev_dir):
    f = tmp_path / "lines.tsv"
    f.write_text("rules\ttext\ninsult\t你就是个老赖。\n\t请通过官方渠道还款。\n\n", encoding="utf-8")
    res = check("--json", "--file", str(f))
    assert res.returncode == 0, res.stderr
    rows = [json.loads(line) for line in res.stdout.splitlines()]
    assert [r["text"] for r in rows] == ["你就是个老赖。", "请通过官方渠道还款。"]
    assert [[x["rule"] for x in r["rules"]] for r in rows] == [["insult"], []]
    # the shared evaluation file's own header and label column (first 30 sentences): one output line each
    head = (dev_dir / "lines.tsv").read_text(encoding="utf-8").splitlines()[:31]
    g = tmp_path / "dev_head.tsv"
    g.write_text("\n".join(head) + "\n", encoding="utf-8")
    rows = [json.loads(line) for line in check("--json", "--file", str(g)).stdout.splitlines()]
    assert [r["text"] for r in rows] == [line.split("\t", 1)[1] for line in head[1:]]
    assert all(r["rules"] for r in rows)  # the first 30 dev sentences are all violations


def test_check_human_output_is_chinese_explanation():
    res = check("交两百块停催费就不给你打电话了。")
    assert res.returncode == 0
    assert "improper_payment" in res.stdout and "建议" in res.stdout and "依据" in res.stdout


def test_check_bad_input():
    res = check("--file", "/no/such/file.txt")
    assert res.returncode == 2 and "file not found" in res.stderr and res.stdout == ""
    res = check()
    assert res.returncode == 2 and "nothing to check" in res.stderr
