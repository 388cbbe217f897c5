"""The PyInstaller spec, the Windows installer and the Linux build carry the same project data.

Fast (no build): parses packaging/callassist.spec and packaging/windows/callassist.iss. When a Linux build is
present in dist/callassist it is compared with the repository as well.
"""

from __future__ import annotations

import ast
import importlib.util
import re
from pathlib import PureWindowsPath

import pytest
import tomllib

from assist import paths

REPO = paths.PROJECT_ROOT
SPEC = REPO / "packaging" / "callassist.spec"
ISS = REPO / "packaging" / "windows" / "callassist.iss"
FROZEN = REPO / "dist" / "callassist"


def _build_deb():
    spec = importlib.util.spec_from_file_location("callassist_build_deb", REPO / "packaging" / "build_deb.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    return mod


def spec_data_dirs() -> list[tuple[str, str]]:
    tree = ast.parse(SPEC.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "DATA_DIRS" for t in node.targets):
            return [tuple(x) for x in ast.literal_eval(node.value)]
    raise AssertionError("packaging/callassist.spec has no DATA_DIRS = [...] list")


def iss_text() -> str:
    raw = ISS.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf"), "the .iss must be UTF-8 with a BOM (Inno Setup reads Chinese names so)"
    return raw.decode("utf-8-sig")


def iss_section(name: str) -> list[str]:
    lines, inside = [], False
    for line in iss_text().splitlines():
        s = line.strip()
        if s.startswith("[") and s.endswith("]"):
            inside = s[1:-1].lower() == name.lower()
        elif inside and s and not s.startswith(";"):
            lines.append(s)
    return lines


def iss_entry(line: str) -> dict[str, str]:
    """`Source: "x"; DestDir: "y"; Flags: a b` → {"source": "x", ...}"""
    return {m.group(1).lower(): m.group(2).strip().strip('"')
            for m in re.finditer(r'(\w+):\s*("[^"]*"|[^;]*)', line)}


def iss_define(name: str) -> str:
    m = re.search(rf'#define {name} "([^"]*)"', iss_text())
    assert m, f"callassist.iss defines no {name}"
    return m.group(1)


def _internal_rel(source: str) -> str | None:
    """{#Dist}\\_internal\\resources\\* → resources"""
    parts = PureWindowsPath(source).parts
    if parts[:2] != ("{#Dist}", "_internal") or parts[-1] != "*":
        return None
    return "/".join(parts[2:-1])


def test_spec_data_dirs_exist_in_the_repository():
    dirs = spec_data_dirs()
    assert ("resources", "resources") in dirs, "resources/ must be bundled wholesale"
    for src, _dest in dirs:
        if src.startswith("models/"):
            continue   # provisioned by `make model`, not committed
        assert (REPO / src).is_dir(), f"DATA_DIRS names {src}, which is not a folder of the repository"


def test_installer_lists_exactly_the_spec_data_dirs():
    files = [iss_entry(line) for line in iss_section("Files")]
    explicit = {_internal_rel(f["source"]) for f in files} - {None, ""}
    spec_dests = {dest for _src, dest in spec_data_dirs()}
    assert explicit == spec_dests, f"installer data folders {sorted(explicit)} != spec DATA_DIRS {sorted(spec_dests)}"
    for f in files:
        rel = _internal_rel(f["source"])
        if rel:
            assert f["destdir"] == "{app}\\_internal\\" + rel.replace("/", "\\"), f
            assert "recursesubdirs" in f["flags"].split(), f"{rel} must be copied with its sub-folders"
    bulk = [f for f in files if _internal_rel(f["source"]) == ""]
    assert len(bulk) == 1, "one bulk entry copies the rest of _internal\\"
    excludes = {e.strip().lstrip("\\").replace("\\", "/") for e in bulk[0].get("excludes", "").split(",") if e.strip()}
    assert excludes == spec_dests, f"the bulk copy must exclude exactly the data folders: {excludes} != {spec_dests}"
    assert "recursesubdirs" in bulk[0]["flags"].split()
    assert any(f["source"] == "{#Dist}\\callassist.exe" for f in files)


def test_installer_is_per_user_with_a_start_menu_entry():
    setup = {k.strip().lower(): v.strip() for k, _, v in
             (line.partition("=") for line in iss_section("Setup") if "=" in line)}
    assert setup["privilegesrequired"] == "lowest", "no admin rights: PrivilegesRequired=lowest"
    assert setup["defaultdirname"].startswith(("{userpf}", "{localappdata}")), setup["defaultdirname"]
    # The install folder must not be the user data folder (%LOCALAPPDATA%\callassist): uninstalling keeps records.
    assert setup["defaultdirname"].lower() not in ("{localappdata}\\callassist",)
    icons = [iss_entry(line) for line in iss_section("Icons")]
    assert any(i["name"].startswith(("{userprograms}", "{autoprograms}")) and i["filename"] == "{app}\\callassist.exe"
               for i in icons), icons
    assert any("{app}\\_internal" == iss_entry(line)["name"] for line in iss_section("InstallDelete")), \
        "an upgrade must remove the old _internal (stale rule packs would still load)"
    assert not iss_section("UninstallDelete"), "uninstall removes only installed files"


def test_installer_version_is_the_project_version():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    assert iss_define("AppVersion") == project


def test_linux_build_holds_the_data_dirs():
    if not (FROZEN / "_internal").is_dir() or not _build_deb().is_current():
        pytest.skip("no current Linux build in dist/ (make deb builds one from this checkout)")
    internal = FROZEN / "_internal"
    for _src, dest in spec_data_dirs():
        assert (internal / dest).is_dir(), f"the build lacks {dest}"
    built = {p.relative_to(internal / "resources").as_posix() for p in (internal / "resources").rglob("*")
             if p.is_file()}
    repo = {p.relative_to(REPO / "resources").as_posix() for p in (REPO / "resources").rglob("*")
            if p.is_file() and "__pycache__" not in p.parts}
    assert built == repo, (f"the build misses or adds resources: only in the repository {sorted(repo - built)[:5]}, "
                           f"only in the build {sorted(built - repo)[:5]}")
    model = internal / "models" / "whisper-base"
    assert {p.name for p in model.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.json",
                                                 ".callassist-model.json"}
