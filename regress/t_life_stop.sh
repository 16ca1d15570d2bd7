# Stopping: a manual stop cancels a pending restart; stop_timeout is
# honoured for a process that ignores TERM; a double-forking daemon is
# followed to its survivor and killed by stop.
. "$TOP/regress/life_lib.sh"

write_conf <<Y
version: 1
services:
  pend:
    command: "echo x >> $T/pend.starts; exec sleep 1041"
    restart_policy: always
    backoff: 2s
  deaf:
    command: "trap '' TERM; exec sleep 1042"
    stop_timeout: 2s
  dfork:
    command: "sleep 1043 & exit 0"
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }

# manual stop during backoff
p=$(unit_pid pend)
kill -9 "$p"
wait_for 5 state_is pend backoff
"$SYSG" stop -s pend >out 2>&1 || { cat out; fail "stop -s pend"; }
state_is pend stopped || fail "pend: $(unit_state pend), want stopped"
end=$(( $(now_ms) + 2500 ))
while [ $(now_ms) -lt $end ]; do
	[ "$(lines pend.starts)" = 1 ] || fail "pend restarted after stop"
	sleep 0.05
done
state_is pend stopped || fail "pend: $(unit_state pend) 2.5 s after stop"

# stop_timeout: TERM is ignored (inherited SIG_IGN), KILL after 2 s
p=$(unit_pid deaf)
grep -q '^SigIgn:.*' /proc/$p/status || fail "no /proc status"
t0=$(now_ms)
"$SYSG" stop -s deaf >out 2>&1 || { cat out; fail "stop -s deaf"; }
el=$(( $(now_ms) - t0 ))
note "stop -s deaf took ${el} ms"
[ $el -ge 1800 ] && [ $el -le 4000 ] || fail "stop took ${el} ms, want ~2000"
gone "$p" || fail "deaf's pid $p survived"
state_is deaf stopped || fail "deaf: $(unit_state deaf)"

# double fork: the unit follows the surviving sleep
survivor() { p=$(unit_pid dfork); [ -n "$p" ] &&
    [ "$(cat /proc/$p/comm 2>/dev/null)" = sleep ]; }
wait_for 5 survivor
p=$(unit_pid dfork)
tr '\0' ' ' < /proc/$p/cmdline | grep -q 'sleep 1043' ||
    fail "dfork pid $p is not the sleep"
state_is dfork running || fail "dfork: $(unit_state dfork)"
"$SYSG" stop -s dfork >out 2>&1 || { cat out; fail "stop -s dfork"; }
gone "$p" || fail "the forked sleep $p survived stop"
state_is dfork stopped || fail "dfork: $(unit_state dfork)"
exit 0
