# A stale sysg.pid (a dead pid) with a stale control.sock (a regular
# file; a socket nobody listens on; what a kill -9 of the parent leaves)
# does not block `start -d`; a live daemon is never displaced.
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1021
Y
mkdir -p -m 0700 "$SYSG_STATE_DIR"
sock=$SYSG_STATE_DIR/control.sock
pidf=$SYSG_STATE_DIR/sysg.pid

dead_pid() {
	sh -c 'exit 0' &
	_d=$!
	wait $_d
	gone $_d || fail "pid $_d still there"
	echo $_d
}

start_ok() {	# what
	start_d >out 2>&1 || fail "start -d with $1: $(cat out)"
	grep -q "already running" out && fail "start -d with $1: $(cat out)"
	state_is svc running || fail "svc not running after start with $1"
	dp=$(daemon_pid)
	[ "$dp" != "$(cat stalepid)" ] && alive "$dp" ||
	    fail "sysg.pid ($dp) not the new daemon after $1"
	[ -S "$sock" ] || fail "control.sock is not a socket after $1"
}

stop_ok() {
	"$SYSG" stop >out 2>&1 || fail "stop: $(cat out)"
	gone "$dp" || fail "daemon $dp survived stop"
}

# 1. stale pid file and a regular file as control.sock
dead_pid >stalepid
cp stalepid "$pidf"
echo "not a socket" >"$sock"
start_ok "a regular file as socket"
stop_ok

# 2. stale pid file and a socket nobody listens on
dead_pid >stalepid
cp stalepid "$pidf"
python3 -c "
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
s.bind(sys.argv[1])
" "$sock" || fail "python bind"
[ -S "$sock" ] || fail "no stale socket made"
"$SYSG" status >/dev/null 2>&1
[ $? = 3 ] || fail "status with a dead socket should say no daemon (3)"
start_ok "a dead socket"

# 3. a live daemon is never displaced, whatever the config
svc=$(unit_pid svc)
write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1022
Y
for i in 1 2; do
	start_d >out2 2>&1 || fail "second start -d exit $?: $(cat out2)"
	grep -q "already running" out2 || fail "second start -d says: $(cat out2)"
	[ "$(daemon_pid)" = "$dp" ] && alive "$dp" || fail "daemon displaced"
	[ "$(unit_pid svc)" = "$svc" ] && alive "$svc" || fail "svc disturbed"
done
[ -S "$sock" ] || fail "control.sock gone after a second start"

# 4. what kill -9 of the parent leaves behind
roles=""
for r in spawner supervisor cron control; do roles="$roles $(role_pid $r)"; done
echo "$dp" >stalepid
kill -9 "$dp"
for p in $dp $roles $svc; do wait_for 10 gone $p; done
note "after kill -9: $(ls "$SYSG_STATE_DIR" | tr '\n' ' ')"
start_ok "the leftovers of a killed daemon"
[ "$(unit_pid svc)" != "$svc" ] || fail "svc pid reused?"
stop_ok
