# restart -s a gives a a new pid and leaves the independent b alone;
# start -s a while a runs is a no-op (same pid, one process).
. "$TOP/regress/life_lib.sh"

write_conf <<Y
version: 1
services:
  a:
    command: sleep 1071
  b:
    command: sleep 1072
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
pa=$(unit_pid a); pb=$(unit_pid b)
# processes 'sleep 1071' of this daemon (children of its spawner, a
# subreaper; other test runs may have their own)
nproc_a() { ps -o args= --ppid "$(role_pid spawner)" | grep -c '^sleep 1071$'; }
[ -n "$(role_pid spawner)" ] || fail "no spawner role found"

"$SYSG" start -s a >out 2>&1 || { cat out; fail "start -s a (running)"; }
[ "$(unit_pid a)" = "$pa" ] || fail "start -s a changed a's pid"
[ "$(nproc_a)" = 1 ] || fail "$(nproc_a) processes 'sleep 1071'"

"$SYSG" restart -s a >out 2>&1 || { cat out; fail "restart -s a"; }
state_is a running || fail "a: $(unit_state a) after restart"
pa2=$(unit_pid a)
[ -n "$pa2" ] && [ "$pa2" != "$pa" ] || fail "a kept pid $pa"
gone "$pa" || fail "a's old pid $pa survived the restart"
[ "$(unit_pid b)" = "$pb" ] || fail "b's pid changed: $pb -> $(unit_pid b)"
alive "$pb" || fail "b died"
[ "$(nproc_a)" = 1 ] || fail "$(nproc_a) processes 'sleep 1071'"
[ "$(unit_field a restarts)" = 0 ] || fail "a manual restart counted as automatic"
exit 0
