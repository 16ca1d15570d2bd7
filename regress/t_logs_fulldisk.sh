# A full disk: the log directory is a 2 MB tmpfs.  A service writes
# numbered lines steadily (40 KB/s); a filler file then takes all the
# space so every log write fails.  The daemon stays up, status answers,
# the service keeps running with the same pid (its output waits in the
# pipe).  Once the filler is removed the log grows again, and in the end
# every line is in the file exactly once, in order: nothing was lost.
# The warning and the "resumed" line reach supervisor.log.
# Root only (mount); skipped when the tmpfs cannot be mounted.
. "$TOP/regress/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root to mount a tmpfs"
cc -O2 -o "$T/gen" "$TOP/regress/logs_gen.c" || skip "cannot compile logs_gen.c"
L=$SYSG_STATE_DIR/logs
mkdir -p "$L" && chmod 0700 "$SYSG_STATE_DIR" ||
    fail "cannot make $L"
mount -t tmpfs -o size=2m,mode=0700 sysg-test "$L" 2>/dev/null ||
    skip "cannot mount a tmpfs on $L"

# Stop the daemon (nothing may keep the tmpfs busy), then unmount.
fd_cleanup() {
	"$SYSG" stop >/dev/null 2>&1
	dp=$(cat "$SYSG_STATE_DIR/sysg.pid" 2>/dev/null)
	if [ -n "$dp" ] && kill -0 "$dp" 2>/dev/null; then
		kill -9 "$dp" 2>/dev/null
		i=0
		while kill -0 "$dp" 2>/dev/null && [ $i -lt 250 ]; do
			sleep 0.02; i=$((i + 1))
		done
	fi
	umount "$L" 2>/dev/null || umount -l "$L"
	cleanup
}
trap fd_cleanup EXIT INT TERM

N=4000				# 100-byte lines at 400/s: 10 s
write_conf <<Y
version: 1
services:
  steady:
    command: $T/gen -g $T/go -r 400 -n $N
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
dpid=$(daemon_pid)
spid=$(unit_pid steady)
: >"$T/go"

size() { stat -c %s "$L/steady.stdout.log" 2>/dev/null || echo 0; }
grown() { [ "$(size)" -gt "$1" ]; }
# stuck: the file does not grow for 600 ms
stuck() { _a=$(size); sleep 0.6; [ "$(size)" = "$_a" ]; }

wait_for 10 grown 20000
dd if=/dev/zero of="$L/filler" bs=4k >/dev/null 2>&1
[ "$(df -P "$L" | awk 'NR == 2 { print $4 }')" = 0 ] ||
    fail "the tmpfs is not full: $(df -P "$L" | tail -n 1)"
wait_for 10 stuck
held=$(size)
note "log stuck at $held bytes"

# Writes fail: the daemon, status and the service carry on.
for i in 1 2 3; do
	alive "$dpid" || fail "the daemon died on a full disk"
	"$SYSG" status >out 2>&1 || { cat out; fail "status exit $? on a full disk"; }
	"$SYSG" status --json >st.json 2>st.err ||
	    fail "status --json exit $?: $(cat st.err)"
	python3 -c 'import json; json.load(open("st.json"))' ||
	    fail "status --json: bad JSON: $(cat st.json st.err)"
	[ "$(unit_pid steady)" = "$spid" ] ||
	    fail "steady: pid $(unit_pid steady), was $spid"
	state_is steady running || fail "steady: $(unit_state steady)"
	[ "$(size)" = "$held" ] || fail "the log grew on a full disk"
	sleep 0.5
done

rm -f "$L/filler"
wait_for 20 grown "$held"
note "log resumed"
wait_for 30 state_is steady exited
[ "$(unit_field steady restarts)" = 0 ] || fail "steady was restarted"
full() { [ "$(size)" -ge $(( N * 100 )) ]; }
wait_for 10 full
python3 "$TOP/regress/logs_check.py" "$L" steady stdout $N || exit 1
wait_for 20 grep -q "holding its output back" "$L/supervisor.log"
wait_for 20 grep -q "output resumed" "$L/supervisor.log"
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
exit 0
