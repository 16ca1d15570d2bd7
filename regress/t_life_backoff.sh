# Restart delays: backoff doubles (0.4, 0.8, 1.6 s); max_restarts gives
# up after exactly max_restarts+1 starts and stays failed; two crashing
# services restart on their own clocks.
. "$TOP/regress/life_lib.sh"

write_conf <<Y
version: 1
services:
  dbl:
    command: "date +%s%N >> $T/dbl.times; exit 1"
    restart_policy: always
    backoff: 400ms
    max_backoff: 10s
  mx:
    command: "echo x >> $T/mx.starts; exit 1"
    restart_policy: always
    backoff: 100ms
    max_restarts: 3
  slow:
    command: "echo x >> $T/slow.starts; exit 1"
    restart_policy: always
    backoff: 3s
  fast:
    command: "echo x >> $T/fast.starts; exit 1"
    restart_policy: always
    backoff: 200ms
    max_backoff: 200ms
Y
start_d --wait 1 >out 2>&1

# two services, independent clocks: fast restarts while slow waits 3 s
t0=$(now_ms)
wait_for 5 ge fast.starts 4
el=$(( $(now_ms) - t0 ))
[ "$(lines slow.starts)" = 1 ] ||
    fail "slow started $(lines slow.starts) times within ${el} ms"
state_is slow backoff || fail "slow: $(unit_state slow), want backoff"

# max_restarts 3: 4 starts, then failed for good
wait_for 5 state_is mx failed
[ "$(lines mx.starts)" = 4 ] || fail "mx started $(lines mx.starts) times, want 4"
r=$(unit_field mx reason)
case $r in *restart*) ;; *) fail "mx reason: '$r'";; esac
end=$(( $(now_ms) + 1000 ))
while [ $(now_ms) -lt $end ]; do
	[ "$(lines mx.starts)" = 4 ] || fail "mx started again after failing"
	sleep 0.05
done
state_is mx failed || fail "mx left failed: $(unit_state mx)"

# doubling: 4 starts, intervals 0.4, 0.8, 1.6 s (+-20%, plus spawn cost)
wait_for 10 ge dbl.times 4
python3 - "$T/dbl.times" <<'PY' || fail "backoff intervals"
import sys
t = [int(l) / 1e9 for l in open(sys.argv[1])][:4]
iv = [round(b - a, 3) for a, b in zip(t, t[1:])]
print("# intervals", iv)
for got, want in zip(iv, (0.4, 0.8, 1.6)):
    if not (want * 0.8 <= got <= want * 1.2 + 0.05):
        print("FAIL: interval %.3f, want %.1f" % (got, want)); sys.exit(1)
PY
exit 0
