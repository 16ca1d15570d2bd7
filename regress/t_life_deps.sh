# Dependency order: a diamond (d needs b and c, which need a) and a chain
# (z needs y needs x) start in order; independent services start in
# parallel.  Readiness comes from command health checks on marker files,
# so the timestamps written by each service at start are ordered.
. "$TOP/regress/life_lib.sh"

# svc NAME [DEPS]: a service that writes its start time, then is ready
svc() {
	cat <<Y
  $1:
    command: "date +%s%N > $T/$1.ts; exec sleep 1000"
    health_check:
      command: "test -s $T/$1.ts"
      interval: 100ms
      retries: 50
Y
	[ -n "${2:-}" ] && echo "    depends_on: [$2]"
	:
}

{
	echo "version: 1"
	echo "services:"
	svc a; svc b a; svc c a; svc d "b, c"
	svc x; svc y x; svc z y
	# independent, each takes 1 s to become ready
	for p in p1 p2; do cat <<Y
  $p:
    command: "date +%s%N > $T/$p.ts; sleep 1; touch $T/$p.ok; exec sleep 1000"
    health_check:
      command: "test -f $T/$p.ok"
      interval: 100ms
      retries: 50
Y
	done
} | write_conf

start_d >out 2>&1 || { cat out; fail "start -d"; }
for u in a b c d x y z p1 p2; do
	state_is $u running || fail "$u not running: $(cat out)"
	[ -s $u.ts ] || fail "$u wrote no timestamp"
done
ts() { cat "$T/$1.ts"; }
before() { [ "$(ts $1)" -lt "$(ts $2)" ] || fail "$1 did not start before $2"; }
before a b; before a c; before b d; before c d
before x y; before y z
dt=$(( ($(ts p1) - $(ts p2)) / 1000000 ))
[ $dt -lt 0 ] && dt=$(( -dt ))
[ $dt -lt 300 ] || fail "p1 and p2 started ${dt} ms apart, not in parallel"
note "p1/p2 started ${dt} ms apart"

# Chain without health checks: ready means exec succeeded.  Order is
# visible in the supervisor log ("started, pid N").
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
rm -rf "$SYSG_STATE_DIR"
write_conf <<Y
version: 1
services:
  n3:
    command: sleep 1013
    depends_on: [n2]
  n2:
    command: sleep 1012
    depends_on: [n1]
  n1:
    command: sleep 1011
Y
start_d >out 2>&1 || { cat out; fail "start -d (chain)"; }
for u in n1 n2 n3; do state_is $u running || fail "$u not running"; done
order=$(grep -o 'n[123]: started' "$SYSG_STATE_DIR"/logs/supervisor.log |
    cut -c1-2 | tr '\n' ' ')
[ "$order" = "n1 n2 n3 " ] || fail "chain start order: '$order'"
p1=$(unit_pid n1); p3=$(unit_pid n3)
"$SYSG" stop >/dev/null || fail "stop"
gone $p1 && gone $p3 || fail "chain processes survived stop"
order=$(grep -o 'n[123]: stopped' "$SYSG_STATE_DIR"/logs/supervisor.log |
    cut -c1-2 | tr '\n' ' ')
[ "$order" = "n3 n2 n1 " ] || fail "chain stop order: '$order'"
exit 0
