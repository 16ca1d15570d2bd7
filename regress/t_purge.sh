# purge is refused while a daemon runs and removes the state directory
# and the logs otherwise; inspect of an unknown unit exits 1.
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  p:
    command: "echo started; exec sleep 1000"
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
wait_for 5 grep -q started "$SYSG_STATE_DIR/logs/p.stdout.log"
"$SYSG" inspect nosuch >out 2>&1; rc=$?
[ $rc = 1 ] || fail "inspect of an unknown unit exit $rc"
"$SYSG" inspect p --json >out || fail "inspect p"
python3 -c "import json; d=json.load(open('out')); assert d['command'].startswith('echo started')" ||
    fail "inspect --json: $(cat out)"
"$SYSG" purge >out 2>&1; rc=$?
[ $rc = 1 ] || fail "purge with a daemon running exit $rc"
grep -q stop out || fail "purge should say to stop first: $(cat out)"
[ -d "$SYSG_STATE_DIR" ] || fail "purge removed the state of a running daemon"
"$SYSG" stop >/dev/null || fail "stop"
"$SYSG" purge >out 2>&1 || fail "purge: $(cat out)"
[ ! -e "$SYSG_STATE_DIR" ] || fail "state directory still there"
