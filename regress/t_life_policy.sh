# restart_policy: always restarts after exit 0 (new pids, the restarts
# counter grows); on-failure does not restart after exit 0 (exited) but
# does after exit 3.
. "$TOP/regress/life_lib.sh"

write_conf <<Y
version: 1
services:
  al:
    command: "echo x >> $T/al.starts; sleep 0.2; exit 0"
    restart_policy: always
    backoff: 200ms
    max_backoff: 200ms
  of0:
    command: "echo x >> $T/of0.starts; sleep 0.2; exit 0"
    restart_policy: on-failure
    backoff: 200ms
  of3:
    command: "echo x >> $T/of3.starts; sleep 0.2; exit 3"
    restart_policy: on-failure
    backoff: 200ms
    max_backoff: 200ms
Y
start_d >out 2>&1
starts() { lines $1.starts; }
restarts_ge() { r=$(unit_field $1 restarts); [ -n "$r" ] && [ "$r" -ge $2 ]; }

wait_for 10 ge al.starts 3
wait_for 5 restarts_ge al 2
wait_for 10 ge of3.starts 3
wait_for 5 restarts_ge of3 2
wait_for 5 state_is of0 exited
[ "$(unit_field of0 restarts)" = 0 ] || fail "of0 restarted after exit 0"
[ "$(starts of0)" = 1 ] || fail "of0 started $(starts of0) times"
# and it stays exited (the others have restarted meanwhile)
wait_for 5 ge al.starts 5
state_is of0 exited || fail "of0: $(unit_state of0)"
[ "$(starts of0)" = 1 ] || fail "of0 started again"
exit 0
