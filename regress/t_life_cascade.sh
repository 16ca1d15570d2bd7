# A dependency that crashes takes its running dependent down; both come
# back with new pids once the dependency restarts (restart always,
# backoff 200ms).
. "$TOP/regress/life_lib.sh"

write_conf <<Y
version: 1
services:
  a:
    command: sleep 1031
    restart_policy: always
    backoff: 200ms
  b:
    command: sleep 1032
    restart_policy: always
    backoff: 200ms
    depends_on: [a]
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
pa=$(unit_pid a); pb=$(unit_pid b)
[ -n "$pa" ] && [ -n "$pb" ] || fail "no pids: a=$pa b=$pb"
kill -9 "$pa"
wait_for 5 gone "$pb"		# b was stopped because a went down
new_pid() { p=$(unit_pid $1); [ -n "$p" ] && [ "$p" != "$2" ] &&
    state_is $1 running; }
wait_for 5 new_pid a "$pa"
wait_for 5 new_pid b "$pb"
pa2=$(unit_pid a); pb2=$(unit_pid b)
alive "$pa2" && alive "$pb2" || fail "new pids not alive"
# b went through a stop, not a crash of its own
r=$(unit_field a restarts)
[ "$r" -ge 1 ] || fail "a's restarts counter is $r"
r=$(unit_field b restarts)
[ "$r" = 0 ] || fail "b was stopped, not crashed, but restarts is $r"
"$SYSG" inspect b --json >ib || fail "inspect b"
python3 -c "
import json; d=json.load(open('ib'))
ex=d.get('exits') or []
assert ex, 'b has no recorded exit'
" || fail "b's exits: $(cat ib)"
exit 0
