# sysg logs against a live daemon: `logs NAME -f` started before the
# daemon (the log file does not exist yet) prints every line the
# service writes afterwards, exactly once and in order, across several
# rotations (max_bytes 64K); `logs NAME -n 3` prints exactly the last 3
# lines; with the daemon stopped `logs NAME -n 2` still works from the
# files.  The follower exits 0 on SIGTERM.
. "$TOP/regress/lib.sh"

cc -O2 -o "$T/gen" "$TOP/regress/logs_gen.c" || skip "cannot compile logs_gen.c"
N=3000				# 100-byte lines at 1000/s: 300 KB in 3 s
L=$SYSG_STATE_DIR/logs
"$T/gen" -n $N >"$T/expect"

# poll SECONDS CMD...: like wait_for, but returns 1 on time-out
poll() {
	_end=$(( $(now_ms) + $1 * 1000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -ge $_end ] && return 1
		sleep 0.02
	done
}

# logs -f needs the log directory (not the file): made here, 0700 as
# the daemon makes it.
mkdir -p "$L" && chmod 0700 "$SYSG_STATE_DIR" "$L" || fail "mkdir $L"
"$SYSG" logs flow -f >"$T/f.out" 2>"$T/f.err" &
FPID=$!
track $FPID
watching() { ls -l "/proc/$FPID/fd" 2>/dev/null | grep -q inotify; }
wait_for 10 watching
[ -e "$L/flow.stdout.log" ] && fail "flow.stdout.log exists already"

write_conf <<Y
version: 1
logs:
  max_bytes: 64K
  max_files: 20
services:
  flow:
    command: $T/gen -g $T/go -r 1000 -n $N
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
: >"$T/go"
all_followed() { [ "$(wc -l < "$T/f.out")" -ge $N ]; }
if ! poll 30 all_followed; then
	tail -n 3 "$T/f.out"; cat "$T/f.err"
	fail "logs -f printed $(wc -l < "$T/f.out") lines of $N"
fi
alive $FPID || fail "logs -f exited: $(cat "$T/f.err")"
nrot=$(ls "$L" | grep -c '^flow\.stdout\.log\.')
[ "$nrot" -ge 3 ] || fail "only $nrot rotations, expected 4"
mkdir "$T/fo" && cp "$T/f.out" "$T/fo/follow.stdout.log"
python3 "$TOP/regress/logs_check.py" "$T/fo" follow stdout $N || {
	echo "(logs -f output, after $nrot rotations)"; exit 1; }

# the last lines, daemon running
wait_for 30 state_is flow exited
"$SYSG" logs flow -n 3 >"$T/n3" 2>&1 || { cat "$T/n3"; fail "logs -n 3"; }
tail -n 3 "$T/expect" | cmp -s - "$T/n3" ||
    fail "logs flow -n 3 printed: $(cat "$T/n3")"

# no daemon
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
"$SYSG" status >/dev/null 2>&1
[ $? = 3 ] || fail "daemon still running"
"$SYSG" logs flow -n 2 >"$T/n2" 2>&1 || { cat "$T/n2"; fail "logs -n 2"; }
tail -n 2 "$T/expect" | cmp -s - "$T/n2" ||
    fail "logs flow -n 2 without daemon printed: $(cat "$T/n2")"

# The follower outlived the daemon; SIGTERM ends it with 0.
alive $FPID || fail "logs -f exited with the daemon: $(cat "$T/f.err")"
kill -TERM $FPID
wait_for 5 gone $FPID
wait $FPID
rc=$?
[ $rc = 0 ] || fail "logs -f exited $rc on SIGTERM"
[ "$(wc -l < "$T/f.out")" = $N ] || fail "logs -f printed extra lines"
exit 0
