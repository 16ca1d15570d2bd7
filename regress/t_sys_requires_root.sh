# --sys as an ordinary user: start, stop, restart, reload and purge exit
# 1 with "--sys requires root" and start nothing; status is not refused
# by the CLI (with no daemon it exits 3).  Runs as root (to become
# nobody with setpriv).
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

command -v setpriv >/dev/null || skip "no setpriv"
nuid=$(id -u nobody)
ngid=$(id -g nobody)
write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1901
Y
as_nobody() {
	setpriv --reuid="$nuid" --regid="$ngid" --clear-groups \
	    env SYSG_STATE_DIR="$SYSG_STATE_DIR" NO_COLOR=1 "$SYSG" "$@"
}
for c in "start -c $T/sysg.yaml" "start -c $T/sysg.yaml -d" "stop" \
    "stop -s svc" "restart" "restart -s svc" "reload" "purge"; do
	as_nobody --sys $c >o 2>e; rc=$?
	note "nobody --sys $c: exit $rc: $(cat e)"
	[ $rc = 1 ] || fail "--sys $c as nobody: exit $rc, want 1"
	grep -q -- "--sys requires root" e ||
	    fail "--sys $c as nobody: message: $(cat e)"
	[ -s o ] && fail "--sys $c as nobody wrote to stdout: $(cat o)"
done
# the flag after the command counts the same
as_nobody start -c "$T/sysg.yaml" --sys >o 2>e; rc=$?
[ $rc = 1 ] && grep -q -- "--sys requires root" e ||
    fail "start --sys as nobody: exit $rc: $(cat e)"
[ -e "$SYSG_STATE_DIR" ] && fail "a refused start created $SYSG_STATE_DIR"
ps -eo args | grep -q "[s]leep 1901" && fail "svc was started"
as_nobody --sys status >o 2>e; rc=$?
[ $rc = 3 ] || fail "--sys status as nobody with no daemon: exit $rc: $(cat e)"
exit 0
