# --sys capabilities at work: a service running as nobody with
# CAP_NET_BIND_SERVICE binds and listens on 127.0.0.1:80; the same
# program as nobody without it is refused with EACCES.  Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

[ -x "$PY" ] || skip "no python3"
"$PY" - <<'P' || skip "127.0.0.1:80 is in use here"
import socket
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
s.bind(("127.0.0.1", 80))
P
outdir
cat > "$T/bind.py" <<'P'
import errno, os, socket, sys, time
out = sys.argv[1]
def put(text):
    with open(out + ".new", "w") as f:
        f.write(text + "\n")
    os.rename(out + ".new", out)
s = socket.socket()
s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
try:
    s.bind(("127.0.0.1", 80))
    s.listen(4)
except OSError as e:
    put(errno.errorcode.get(e.errno, str(e.errno)))
    sys.exit(0)
put("OK")
while True:
    c, _ = s.accept()
    c.sendall(b"port80\n")
    c.close()
P
write_conf <<Y
version: 1
services:
  withcap:
    command: $PY $T/bind.py $T/o/withcap
    user: nobody
    capabilities: [CAP_NET_BIND_SERVICE]
Y
start_sys >out 2>&1 || fail "start -d: $(cat out)"
wait_for 10 test -f "$T/o/withcap"
note "withcap: $(cat "$T/o/withcap")"
[ "$(cat "$T/o/withcap")" = OK ] ||
    fail "nobody with CAP_NET_BIND_SERVICE could not bind :80: $(cat "$T/o/withcap")"
p=$(unit_pid withcap)
[ "$(status_field $p Uid | cut -f1)" = "$(id -u nobody)" ] ||
    fail "withcap is not nobody"
got=$("$PY" -c '
import socket
s = socket.create_connection(("127.0.0.1", 80), timeout=5)
print(s.recv(100).decode().strip())') || fail "connect to :80"
[ "$got" = port80 ] || fail "answer from :80: $got"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"

# Without the capability: refused (the listener above is gone too, but
# EACCES comes before any address-in-use check).
write_conf <<Y
version: 1
services:
  nocap:
    command: $PY $T/bind.py $T/o/nocap
    user: nobody
Y
start_sys >out 2>&1
wait_for 10 test -f "$T/o/nocap"
note "nocap: $(cat "$T/o/nocap")"
[ "$(cat "$T/o/nocap")" = EACCES ] ||
    fail "nobody without the capability: $(cat "$T/o/nocap"), want EACCES"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
