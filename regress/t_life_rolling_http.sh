# A rolling restart of an HTTP service never leaves it unanswered: the
# new instance listens on another port (read from a file at start), and
# a probe loop that tries both ports sees an answer at every moment until
# the old instance is gone.  A new instance that never gets healthy is
# stopped and the old one keeps answering.
. "$TOP/regress/lib.sh"

PY=/usr/bin/python3
free_port() {
	$PY -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
A=$(free_port); B=$(free_port)
echo "$A" > "$T/port"
# The check probes whatever port the instance being checked was given.
cat > "$T/check.py" <<'P'
import sys, urllib.request
port = open(sys.argv[1]).read().strip()
h = urllib.request.ProxyHandler({})
urllib.request.build_opener(h).open("http://127.0.0.1:%s/" % port, timeout=1)
P
write_conf <<Y
version: 1
services:
  web:
    command: "exec $PY -m http.server \$(cat $T/port) --bind 127.0.0.1"
    working_dir: $T
    health_check:
      command: "$PY $T/check.py $T/port"
      interval: 100ms
      timeout: 2s
      retries: 20
    deployment:
      strategy: rolling
      grace_period: 500ms
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
old=$(unit_pid web)

# Probe both ports every 50 ms; record any moment with no answer.
cat > "$T/probe.py" <<P
import socket, time, os
down = 0; n = 0
while not os.path.exists("$T/stop-probe"):
    ok = False
    for p in ($A, $B):
        try:
            s = socket.create_connection(("127.0.0.1", p), timeout=0.5)
            s.sendall(b"GET / HTTP/1.0\r\n\r\n")
            ok = s.recv(12).startswith(b"HTTP/1.0 200")
            s.close()
        except OSError:
            pass
        if ok:
            break
    n += 1
    if not ok:
        down += 1
    time.sleep(0.05)
open("$T/probe-result", "w").write("%d %d\n" % (n, down))
P
$PY "$T/probe.py" &
probe=$!
track $probe
sleep 0.3

echo "$B" > "$T/port"
"$SYSG" restart -s web >out 2>&1 || { cat out; fail "rolling restart"; }
new=$(unit_pid web)
[ "$new" != "$old" ] || fail "no new instance"
wait_for 10 gone "$old"
sleep 0.3
touch "$T/stop-probe"
wait "$probe"
read n down < "$T/probe-result"
note "probes: $n, unanswered: $down"
[ "$n" -gt 10 ] || fail "too few probes ($n)"
[ "$down" = 0 ] || fail "$down probes found neither instance answering"

# A new instance that cannot serve (its port is the one the old holds):
# it is stopped and the old one keeps answering.
"$SYSG" restart -s web >out 2>&1
wait_for 10 state_is web running
sleep 1
[ "$(unit_pid web)" = "$new" ] || fail "pid changed after a failed rollout"
alive "$new" || fail "old instance was stopped"
exit 0
