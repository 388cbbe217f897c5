#!/usr/bin/env bash
# A virtual microphone for manual runs and tests: a private PulseAudio server (its own socket, so it never
# touches a desktop session's sound) with a null sink whose monitor is the default source. Whatever is played
# into the sink is what the "pulse" (and ALSA "default") capture device hears.
#
#   eval "$(scripts/pulse_virtual_mic.sh start)"   # start; prints the exports a client needs (PULSE_SERVER…)
#   scripts/pulse_virtual_mic.sh play FILE.wav     # speak FILE into the virtual mic (blocks until played)
#   scripts/pulse_virtual_mic.sh status | stop
#
# Env: CALLASSIST_PULSE_DIR (default /tmp/callassist-pulse) holds the socket, pid and log;
#      CALLASSIST_PULSE_SINK (default callassist_mic) names the null sink.
# Needs: pulseaudio pulseaudio-utils libasound2-plugins (ALSA "pulse" device) libportaudio2.
# Works as root (CI): the daemon runs in per-user mode with an explicit runtime dir and anonymous auth.
set -euo pipefail

DIR="${CALLASSIST_PULSE_DIR:-/tmp/callassist-pulse}"
SINK="${CALLASSIST_PULSE_SINK:-callassist_mic}"
export PULSE_RUNTIME_PATH="$DIR"
export PULSE_SERVER="unix:$DIR/native"

die() { echo "pulse_virtual_mic: $*" >&2; exit 1; }
alive() { pactl info >/dev/null 2>&1; }

start() {
    for tool in pulseaudio pactl paplay; do
        command -v "$tool" >/dev/null || die "$tool not found (apt-get install pulseaudio pulseaudio-utils)"
    done
    mkdir -p "$DIR"
    chmod 700 "$DIR"
    if ! alive; then
        # A server that died leaves its pid file (and a killed one may linger as a zombie): not ours any more.
        rm -f "$DIR/pid" "$DIR/native"
        # Only the native protocol: no hardware, no suspend-on-idle (an idle virtual mic must keep delivering
        # silence, or the capture watchdog would call it dead).
        cat >"$DIR/server.pa" <<EOF
load-module module-native-protocol-unix auth-anonymous=1 socket=$DIR/native
EOF
        pulseaudio -n -F "$DIR/server.pa" --daemonize=yes --exit-idle-time=-1 --use-pid-file=yes \
            --log-target="file:$DIR/pulse.log" || die "pulseaudio did not start (see $DIR/pulse.log)"
        for _ in $(seq 50); do alive && break; sleep 0.1; done
        alive || die "pulseaudio started but does not answer on $DIR/native (see $DIR/pulse.log)"
    fi
    if ! pactl list short sinks | cut -f2 | grep -qx "$SINK"; then
        pactl load-module module-null-sink "sink_name=$SINK" >"$DIR/$SINK.module"
    fi
    pactl set-default-sink "$SINK"
    pactl set-default-source "$SINK.monitor"
    echo "export PULSE_RUNTIME_PATH='$DIR' PULSE_SERVER='unix:$DIR/native'"
}

stop() {
    if alive; then
        if [ -f "$DIR/$SINK.module" ]; then
            pactl unload-module "$(cat "$DIR/$SINK.module")" 2>/dev/null || true
        fi
        pactl exit 2>/dev/null || pulseaudio -k 2>/dev/null || true
        for _ in $(seq 50); do alive || break; sleep 0.1; done
    fi
    rm -f "$DIR/$SINK.module"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    play)
        [ -n "${2:-}" ] || die "usage: $0 play FILE"
        alive || die "not running: $0 start first"
        paplay --device="$SINK" "$2" ;;
    status)
        if alive; then pactl info | grep -E '^(Server String|Default Source)'; else echo "not running"; exit 1; fi ;;
    *) echo "usage: $0 start|play FILE|status|stop" >&2; exit 2 ;;
esac
