# A client running as another user (nobody) is refused: with the state
# dir 0700 it cannot even reach control.sock; with the dir and the socket
# opened up, SO_PEERCRED refuses every request with exit 4 and
# "permission denied".  The daemon carries on.  Root only.
. "$TOP/regress/lib.sh"

[ "$(id -u)" = 0 ] || skip "needs root"
command -v setpriv >/dev/null || skip "no setpriv"
nuid=$(id -u nobody 2>/dev/null) || skip "no user nobody"
ngid=$(id -g nobody)
[ -x "$SYSG" ] || fail "no $SYSG"

write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1061
Y
start_d >out 2>&1 || { cat out; fail "start -d: $(cat out)"; }
dp=$(daemon_pid)
svc=$(unit_pid svc)
sd=$SYSG_STATE_DIR
[ "$(stat -c %a "$sd")" = 700 ] || fail "state dir mode $(stat -c %a "$sd")"
[ "$(stat -c %a "$sd/control.sock")" = 600 ] ||
    fail "control.sock mode $(stat -c %a "$sd/control.sock")"
chmod 0711 "$T"

as_nobody() {
	setpriv --reuid="$nuid" --regid="$ngid" --clear-groups \
	    env SYSG_STATE_DIR="$sd" NO_COLOR=1 "$SYSG" "$@"
}

# the daemon is untouched
intact() {
	"$SYSG" status >st 2>&1 || fail "$1: root status exit $?: $(cat st)"
	[ "$(daemon_pid)" = "$dp" ] && alive "$dp" || fail "$1: daemon gone"
	[ "$(unit_pid svc)" = "$svc" ] && alive "$svc" ||
	    fail "$1: svc disturbed"
}

# 1. the state directory keeps nobody out
for c in status stop; do
	as_nobody $c >o 2>e; rc=$?
	note "nobody $c (dir 0700): exit $rc: $(cat e)"
	[ $rc != 0 ] && [ $rc != 3 ] ||
	    fail "nobody $c with a 0700 state dir: exit $rc (want an error)"
	grep -qi "permission denied" e ||
	    fail "nobody $c: stderr does not say permission denied: $(cat e)"
	intact "nobody $c (dir 0700)"
done

# 2. reachable socket: SO_PEERCRED refuses every request
chmod 0711 "$sd"
chmod 0666 "$sd/control.sock"
for c in "status" "status --json" "stop" "stop -s svc" "restart -s svc" \
    "start -s svc" "inspect svc" "reload"; do
	as_nobody $c >o 2>e; rc=$?
	note "nobody $c: exit $rc: $(cat e)"
	[ $rc = 4 ] || fail "nobody $c: exit $rc, want 4: $(cat e)"
	grep -q "permission denied" e ||
	    fail "nobody $c: stderr lacks 'permission denied': $(cat e)"
	intact "nobody $c"
done
chmod 0600 "$sd/control.sock"
chmod 0700 "$sd"
"$SYSG" stop >out 2>&1 || fail "stop: $(cat out)"
gone "$dp" || fail "daemon survived stop"
