# --sys socket activation: a launcher binds 127.0.0.1:<free port> on fd
# 3, sets LISTEN_PID to its own pid, LISTEN_FDS=1, LISTEN_FDNAMES=web and
# execs `sysg --sys start` in the foreground (same pid).  Service web
# (sockets: [web], running as nobody) gets the socket as fd 3 with
# LISTEN_FDS=1, LISTEN_FDNAMES=web and LISTEN_PID = its own pid, and
# answers on the port; another service has no fd 3 and no LISTEN_*
# variables.  A name that was not inherited is a config error at start.
# Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

[ -x "$PY" ] || skip "no python3"
cat > "$T/launch.py" <<'P'
import os, socket, sys
sysg, conf, portfile = sys.argv[1:4]
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 0))
s.listen(16)
with open(portfile + ".new", "w") as f:
    f.write("%d\n" % s.getsockname()[1])
os.rename(portfile + ".new", portfile)
if s.fileno() != 3:
    os.dup2(s.fileno(), 3)
    s.close()
os.set_inheritable(3, True)
os.environ["LISTEN_PID"] = str(os.getpid())
os.environ["LISTEN_FDS"] = "1"
os.environ["LISTEN_FDNAMES"] = "web"
os.execv(sysg, [sysg, "--sys", "start", "-c", conf])
P
cat > "$T/web.py" <<'P'
import os, socket
print("env", os.environ.get("LISTEN_FDS"), os.environ.get("LISTEN_PID"),
    os.environ.get("LISTEN_FDNAMES"), "pid", os.getpid(), flush=True)
s = socket.socket(fileno=3)
while True:
    c, _ = s.accept()
    c.sendall(b"hello from web %d\n" % os.getpid())
    c.close()
P
write_conf <<Y
version: 1
services:
  web:
    command: $PY $T/web.py
    user: nobody
    sockets: [web]
  other:
    command: >-
      sh -c 'ls -l /proc/\$\$/fd; env | grep ^LISTEN_ || echo no-listen; echo done; exec sleep 1801'
Y
"$PY" "$T/launch.py" "$SYSG" "$T/sysg.yaml" "$T/port" >fg.out 2>&1 </dev/null &
lp=$!
track $lp
wait_for 10 test -f "$T/port"
port=$(cat "$T/port")
wait_for 10 state_is web running
wait_for 10 state_is other running
L=$SYSG_STATE_DIR/logs
wait_for 5 has_line "$L/web.stdout.log" '^env '
wait_for 5 has_line "$L/other.stdout.log" '^done'
[ "$(daemon_pid)" = "$lp" ] || note "daemon pid $(daemon_pid), launcher $lp"

wp=$(unit_pid web)
note "web: $(cat "$L/web.stdout.log")"
grep -qx "env 1 $wp web pid $wp" "$L/web.stdout.log" ||
    fail "web environment: $(cat "$L/web.stdout.log") (pid $wp)"
[ "$(status_field $wp Uid | cut -f1)" = "$(id -u nobody)" ] || fail "web uid"
# fd 3 is the launcher's socket: the parent holds the same one
s3=$(readlink /proc/$wp/fd/3)
case $s3 in socket:*) ;; *) fail "web fd 3: $s3";; esac
ls -l /proc/$(daemon_pid)/fd 2>/dev/null | grep -qF "$s3" ||
    fail "the daemon does not hold $s3"
[ -e /proc/$wp/fd/4 ] && fail "web has an fd 4: $(readlink /proc/$wp/fd/4)"
got=$("$PY" -c "
import socket
s = socket.create_connection(('127.0.0.1', $port), timeout=5)
print(s.recv(100).decode().strip())") || fail "connect to $port"
[ "$got" = "hello from web $wp" ] || fail "answer: $got"

op=$(unit_pid other)
note "other: $(tr '\n' ' ' < "$L/other.stdout.log")"
grep -q ' 3 -> ' "$L/other.stdout.log" && fail "other has an fd 3"
grep -qx no-listen "$L/other.stdout.log" || fail "other has LISTEN_ variables"
[ -e /proc/$op/fd/3 ] && fail "other (pid $op) has fd 3: $(readlink /proc/$op/fd/3)"
tr '\0' '\n' < /proc/$op/environ | grep -q ^LISTEN_ && fail "other env"

"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
wait_for 10 gone $lp
gone $wp || fail "web survived stop"
"$PY" -c "
import socket
socket.create_connection(('127.0.0.1', $port), timeout=2)" 2>/dev/null &&
    fail "port $port still answers after stop"

# a socket name nobody passed is a config error at start
write_conf <<Y
version: 1
services:
  web:
    command: sleep 1802
    sockets: [nosuch]
Y
start_sys >out 2>&1 && fail "start with an unknown socket name succeeded"
note "unknown socket: $(cat out)"
grep -q nosuch out || fail "error does not name the socket: $(cat out)"
[ -f "$SYSG_STATE_DIR/sysg.pid" ] && alive "$(daemon_pid)" &&
    fail "a daemon runs after the config error"
exit 0
