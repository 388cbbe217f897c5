#!/bin/sh
# /usr/bin/callassist of the Debian package: the frozen app lives in /opt/callassist (read-only); everything
# it writes goes to the user's own folders (~/.local/share/callassist, ~/.config/callassist,
# ~/.local/state/callassist/log, ~/.cache/callassist).
exec /opt/callassist/callassist "$@"
