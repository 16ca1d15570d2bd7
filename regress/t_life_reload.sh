# reload: an added service starts, a removed one is stopped (its process
# gone), a changed one gets a new pid, an unchanged one keeps its pid; a
# broken file exits 1 with the error on stderr and changes nothing.
. "$TOP/regress/life_lib.sh"

write_conf <<Y
version: 1
services:
  keep:
    command: sleep 1081
  change:
    command: sleep 1082
  gone:
    command: sleep 1083
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
pk=$(unit_pid keep); pc=$(unit_pid change); pg=$(unit_pid gone)

write_conf <<Y
version: 1
services:
  keep:
    command: sleep 1081
  change:
    command: sleep 1092
  new:
    command: sleep 1084
Y
"$SYSG" reload >out 2>err || { cat out err; fail "reload"; }
wait_for 5 state_is new running
wait_for 5 gone "$pg"
wait_for 5 sh -c "[ -z \"\$($SYSG status --json | grep '\"gone\"')\" ]"
changed() { p=$(unit_pid change); [ -n "$p" ] && [ "$p" != "$pc" ] &&
    state_is change running; }
wait_for 5 changed
gone "$pc" || fail "change's old pid $pc survived"
pc2=$(unit_pid change)
tr '\0' ' ' < /proc/$pc2/cmdline | grep -q 'sleep 1092' ||
    fail "change runs $(tr '\0' ' ' < /proc/$pc2/cmdline)"
[ "$(unit_pid keep)" = "$pk" ] || fail "keep's pid changed"
alive "$pk" || fail "keep died"
pn=$(unit_pid new)

# a broken file: unknown key
cp sysg.yaml good.yaml
write_conf <<Y
version: 1
services:
  keep:
    command: sleep 1081
    restart_polcy: always
  change:
    command: sleep 1093
Y
"$SYSG" reload >out 2>err && fail "reload of a broken file exit 0"
[ $? = 1 ] || fail "reload of a broken file: exit not 1"
grep -q "restart_polcy" err || fail "stderr lacks the error: $(cat err)"
[ "$(unit_pid keep)" = "$pk" ] || fail "broken reload changed keep"
[ "$(unit_pid change)" = "$pc2" ] || fail "broken reload changed change"
[ "$(unit_pid new)" = "$pn" ] || fail "broken reload changed new"
state_is new running || fail "new: $(unit_state new)"
for p in $pk $pc2 $pn; do alive $p || fail "pid $p died"; done
exit 0
