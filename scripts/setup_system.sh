#!/usr/bin/env bash
# System packages callassist needs on Debian/Ubuntu: the one list used by `make setup` and by .ci/run.
#
#   scripts/setup_system.sh            install what is missing (root, or passwordless sudo)
#   scripts/setup_system.sh --strict   same, but fail when something cannot be installed (CI)
#   scripts/setup_system.sh --list     print the list, one package a line
#   scripts/setup_system.sh --check    print what is missing; exit 1 if anything is
#
# Idempotent and quick when everything is there: one dpkg-query, no apt-get update. Without root and
# without passwordless sudo it prints the command to run and carries on (exit 0), so `make run` still works
# for a user whose admin installed the packages already.
set -u

PACKAGES=(
  # Python: the venv module (Debian splits it out of python3)
  python3-venv
  # Audio capture: sounddevice loads PortAudio at import
  libportaudio2
  # Virtual microphone for the live-capture tests: a PulseAudio server, pactl/paplay, ALSA→Pulse bridge
  pulseaudio pulseaudio-utils libasound2-plugins
  # Headless X for GUI checks (xvfb-run needs xauth)
  xvfb xauth
  # Qt 6.5+ xcb platform plugin
  libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxkbcommon-x11-0 libxcb-image0 libxcb-render-util0
  libxcb-xinerama0 libxcb-randr0 libxcb-shape0 libegl1 libgl1 libfontconfig1 libdbus-1-3
  # Chinese text must render in the UI
  fonts-noto-cjk
  # The offline test (tests/offline) traces a real call for sockets and file writes
  strace
  # The team-records tests start a throwaway PostgreSQL cluster (initdb + pg_ctl in a temporary folder)
  postgresql
)

mode=install
strict=0
for arg in "$@"; do
  case "$arg" in
    --list) mode=list ;;
    --check) mode=check ;;
    --strict) strict=1 ;;
    -h|--help) sed -n '2,11p' "$0"; exit 0 ;;
    *) echo "setup_system.sh: unknown option $arg" >&2; exit 2 ;;
  esac
done
[ "${CI:-}" = "true" ] && strict=1

if [ "$mode" = list ]; then
  printf '%s\n' "${PACKAGES[@]}"
  exit 0
fi

if ! command -v dpkg-query >/dev/null 2>&1 || ! command -v apt-get >/dev/null 2>&1; then
  echo "setup_system.sh: not a Debian/Ubuntu system; install the equivalents of:" >&2
  echo "  ${PACKAGES[*]}" >&2
  exit 0
fi

missing=()
installed="$(dpkg-query -W -f='${Package} ${db:Status-Status}\n' "${PACKAGES[@]}" 2>/dev/null | awk '$2=="installed"{print $1}')"
for p in "${PACKAGES[@]}"; do
  grep -qxF "$p" <<<"$installed" || missing+=("$p")
done

if [ "${#missing[@]}" -eq 0 ]; then
  echo "system packages: all ${#PACKAGES[@]} present"
  exit 0
fi
if [ "$mode" = check ]; then
  printf '%s\n' "${missing[@]}"
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  SUDO=()
elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
  SUDO=(sudo -n)
else
  echo "system packages missing: ${missing[*]}" >&2
  echo "  they need root; please run:  sudo apt-get install -y ${missing[*]}" >&2
  echo "  (continuing: the Python setup does not need them, but audio, GUI or some tests may fail)" >&2
  exit 0
fi

export DEBIAN_FRONTEND=noninteractive
APT=("${SUDO[@]}" apt-get -y -q -o DPkg::Lock::Timeout=300)
echo "installing system packages: ${missing[*]}"
"${APT[@]}" update || echo "setup_system.sh: apt-get update failed; trying with the current package lists" >&2
if ! "${APT[@]}" install --no-install-recommends "${missing[@]}"; then
  # One unknown name (a renamed package on another release) must not block the rest: go one by one.
  failed=()
  for p in "${missing[@]}"; do
    "${APT[@]}" install --no-install-recommends "$p" >/dev/null 2>&1 || failed+=("$p")
  done
  if [ "${#failed[@]}" -gt 0 ]; then
    echo "setup_system.sh: could not install: ${failed[*]}" >&2
    [ "$strict" -eq 1 ] && exit 1
    echo "  (continuing without them)" >&2
  fi
fi
exit 0
