# restart -s with deployment.strategy rolling: the new instance starts
# beside the old one, the old one is stopped once the new one is ready
# (after grace_period); a new instance that never gets ready is stopped
# and the old one kept.
. "$TOP/regress/life_lib.sh"

touch OK
# each instance logs its pid, and notes whether the previous instance
# was still alive when it started
write_conf <<Y
version: 1
services:
  r:
    command: "prev=\$(tail -n 1 $T/pids 2>/dev/null); echo \$\$ >> $T/pids; [ -n \"\$prev\" ] && kill -0 \$prev 2>/dev/null && echo \$prev >> $T/overlap; exec sleep 1111"
    health_check:
      command: "test -f $T/OK"
      interval: 100ms
      retries: 3
    deployment:
      strategy: rolling
      grace_period: 300ms
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
p1=$(unit_pid r)
track "$p1"

"$SYSG" restart -s r >out 2>&1 || { cat out; fail "restart -s r"; }
p2=$(unit_pid r)
track "$p2"
[ -n "$p2" ] && [ "$p2" != "$p1" ] || fail "no new pid after rolling restart"
grep -qx "$p1" overlap 2>/dev/null ||
    fail "the old instance $p1 was not running when the new one started"
wait_for 5 gone "$p1"
state_is r running || fail "r: $(unit_state r)"
alive "$p2" || fail "new instance died"

# the new instance never gets ready: it is stopped, the old one stays
rm OK
"$SYSG" restart -s r >out 2>&1
p3=$(tail -n 1 pids)
track "$p3"
[ "$p3" != "$p2" ] || fail "no new instance was started"
wait_for 10 gone "$p3"
[ "$(unit_pid r)" = "$p2" ] || fail "r's pid is $(unit_pid r), want $p2 kept"
alive "$p2" || fail "the old instance $p2 died"
exit 0
