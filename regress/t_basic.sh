# Three services start; status --json shows them running with the pid of
# the real program; ps shows the five role titles; stop leaves nothing.
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  one:
    command: sleep 1001
  two:
    command: "sleep 1002"
  three:
    command: /bin/sleep 1003
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
for u in one two three; do
	state_is $u running || fail "$u not running: $(cat out)"
	pid=$(unit_pid $u)
	comm=$(cat /proc/$pid/comm)
	[ "$comm" = sleep ] || fail "$u pid $pid is $comm, not the program"
done
pp=$(daemon_pid)
for r in parent spawner supervisor cron control; do
	ps -eo pid,args | grep -v grep | grep -q "sysg: $r" ||
	    fail "no process titled sysg: $r"
done
"$SYSG" status >st || fail "status exit $?"
grep -q "one" st || fail "status table lacks one"
pids="$(unit_pid one) $(unit_pid two) $(unit_pid three)"
"$SYSG" stop >/dev/null || fail "stop"
for p in $pids $pp; do gone $p || fail "pid $p survived stop"; done
"$SYSG" status >/dev/null 2>&1
[ $? = 3 ] || fail "status after stop should exit 3"
