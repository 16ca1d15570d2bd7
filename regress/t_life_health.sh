# Health checks against real local servers: a command check keeps the
# unit starting until it passes; http to a python http.server is healthy;
# http to a closed port and to a server that never answers (timeout)
# fail (on_unhealthy none: stays starting, health failing); tcp to the
# http port is healthy.
. "$TOP/regress/life_lib.sh"

command -v python3 >/dev/null || skip "no python3"

# an http server on a free loopback port
mkdir www && echo ok > www/index.html
python3 -u -m http.server 0 --bind 127.0.0.1 --directory www \
    >http.out 2>&1 &
track $!
# a server that accepts and never answers; and a port with nothing
python3 -u - >hang.out 2>&1 <<'PY' &
import socket, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(16)
c = socket.socket(); c.bind(("127.0.0.1", 0))
print("hang", s.getsockname()[1]); print("closed", c.getsockname()[1])
keep = []
while True:
    keep.append(s.accept()[0])
PY
track $!
wait_for 5 grep -q "port" http.out
wait_for 5 grep -q "closed" hang.out
hport=$(sed -n 's/.* port \([0-9]*\) .*/\1/p' http.out | head -n 1)
gport=$(awk '$1 == "hang" { print $2 }' hang.out)
cport=$(awk '$1 == "closed" { print $2 }' hang.out)
note "http $hport, hanging $gport, closed $cport (bound, not listening)"

write_conf <<Y
version: 1
services:
  cmd:
    command: sleep 1051
    health_check:
      command: "test -f $T/READY"
      interval: 200ms
      retries: 1000
  web:
    command: sleep 1052
    health_check:
      http: "http://127.0.0.1:$hport/index.html"
      interval: 200ms
  nothing:
    command: sleep 1053
    health_check:
      http: "http://127.0.0.1:$cport/"
      interval: 200ms
      retries: 2
      on_unhealthy: none
  hang:
    command: sleep 1054
    health_check:
      http: "http://127.0.0.1:$gport/"
      interval: 200ms
      timeout: 300ms
      retries: 2
      on_unhealthy: none
  tcp:
    command: sleep 1055
    health_check:
      tcp: "127.0.0.1:$hport"
      interval: 200ms
Y
start_d --wait 1 >out 2>&1
health_is() { [ "$(unit_field $1 health)" = "$2" ]; }

wait_for 5 state_is web running
health_is web healthy || fail "web health $(unit_field web health)"
wait_for 5 state_is tcp running
health_is tcp healthy || fail "tcp health $(unit_field tcp health)"

wait_for 5 health_is nothing failing
state_is nothing starting || fail "nothing: $(unit_state nothing)"
wait_for 5 health_is hang failing
state_is hang starting || fail "hang: $(unit_state hang)"
"$SYSG" inspect hang --json >ih || fail "inspect hang"
grep -q "timeout" ih || fail "hang's checks do not say timeout: $(cat ih)"
"$SYSG" inspect nothing --json >in || fail "inspect nothing"
grep -qi "refused" in || fail "nothing's checks: $(cat in)"
# still the same processes: on_unhealthy none does not restart
p=$(unit_pid nothing)
[ "$(cat /proc/$p/comm)" = sleep ] || fail "nothing's pid is not sleep"
[ "$(unit_field nothing restarts)" = 0 ] || fail "nothing restarted"

# command check: starting until the file exists
state_is cmd starting || fail "cmd: $(unit_state cmd) before READY"
health_is cmd degraded || fail "cmd health: $(unit_field cmd health)"
touch READY
wait_for 5 state_is cmd running
health_is cmd healthy || fail "cmd health $(unit_field cmd health)"
exit 0
