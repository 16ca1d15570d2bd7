# kill -9 the supervisor, then cron, then control: the parent restarts
# each within 5 s (a new pid), every service keeps its pid and runs only
# once, status answers, and the counter's stdout log has no gap.
. "$TOP/regress/lib.sh"

# unique program names: other tests may run sleeps at the same time
ln -s "$(command -v sleep)" "$T/rr-a"
ln -s "$(command -v sleep)" "$T/rr-b"
write_conf <<Y
version: 1
services:
  counter:
    command: "i=0; while :; do i=\$((i+1)); echo \$i; sleep 0.01; done"
  a:
    command: $T/rr-a 1011
  b:
    command: $T/rr-b 1012
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
log=$SYSG_STATE_DIR/logs/counter.stdout.log
units="counter a b"
pids=""
for u in $units; do
	p=$(unit_pid $u)
	[ -n "$p" ] && alive "$p" || fail "$u has no live pid"
	pids="$pids $u=$p"
done

# last_num: the last complete number in the counter log
last_num() { [ -f "$log" ] && tail -n 2 "$log" | head -n 1; }
log_past() { n=$(last_num); [ -n "$n" ] && [ "$n" -gt "$1" ]; }

new_role() { p=$(role_pid "$1") && [ "$p" != "$2" ]; }
pids_same() {
	for up in $pids; do
		[ "$(unit_pid ${up%%=*})" = "${up#*=}" ] || return 1
	done
}

wait_for 5 log_past 20
for r in supervisor cron control; do
	old=$(role_pid $r) || fail "no $r process"
	before=$(last_num)
	note "kill -9 $r ($old), counter at $before"
	kill -9 "$old"
	wait_for 5 new_role $r "$old"
	note "new $r: $(role_pid $r)"
	wait_for 10 "$SYSG" status
	wait_for 5 pids_same
	for up in $pids; do
		alive "${up#*=}" || fail "${up%%=*} (pid ${up#*=}) died \
after $r was killed"
	done
	[ "$(count_argv "$T/rr-a 1011")" = 1 ] || fail "a runs more than once"
	[ "$(count_argv "$T/rr-b 1012")" = 1 ] || fail "b runs more than once"
	# the counter keeps being logged after the restart
	wait_for 10 log_past $((before + 10))
done
"$SYSG" status >st || fail "status exit $? at the end: $(cat st)"
for u in $units; do state_is $u running || fail "$u not running at the end"; done

# Every number from 1 to the last complete line is there, in order
# (a number may repeat, none may be missing).
sed '$d' "$log" | python3 -c '
import sys
want = 1
for ln, s in enumerate(sys.stdin, 1):
    s = s.strip()
    if not s.isdigit():
        sys.exit("line %d is %r, not a number" % (ln, s))
    n = int(s)
    if n > want:
        sys.exit("gap: line %d is %d, expected %d" % (ln, n, want))
    want = max(want, n + 1)
print("# log complete up to", want - 1)
' || fail "counter log has a gap"
