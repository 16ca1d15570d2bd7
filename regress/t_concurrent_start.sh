# Two `start -d` at the same time (three rounds): both exit 0, exactly
# one daemon holds the state dir, and every service runs exactly once.
. "$TOP/regress/lib.sh"

# unique program names: other tests may run sleeps at the same time
ln -s "$(command -v sleep)" "$T/cs-one"
ln -s "$(command -v sleep)" "$T/cs-two"
write_conf <<Y
version: 1
services:
  one:
    command: $T/cs-one 1041
  two:
    command: $T/cs-two 1042
Y

for round in 1 2 3; do
	start_d >out1 2>&1 & p1=$!
	start_d >out2 2>&1 & p2=$!
	track $p1; track $p2
	wait $p1; r1=$?
	wait $p2; r2=$?
	[ $r1 = 0 ] || fail "round $round: first start -d exit $r1: $(cat out1)"
	[ $r2 = 0 ] || fail "round $round: second start -d exit $r2: $(cat out2)"
	n=$(grep -l "already running" out1 out2 | wc -l)
	[ $n = 1 ] || fail "round $round: $n of 2 said already running: \
$(cat out1 out2)"
	d=$(daemons)
	[ "$(echo $d | wc -w)" = 1 ] || fail "round $round: daemons: '$d'"
	[ "$d" = "$(daemon_pid)" ] || fail "sysg.pid is not the daemon $d"
	for u in one two; do state_is $u running || fail "$u not running"; done
	# let a second instance, if any, show up
	sleep 0.3
	for a in "$T/cs-one 1041" "$T/cs-two 1042"; do
		c=$(count_argv "$a")
		[ "$c" = 1 ] || fail "round $round: '$a' runs $c times"
	done
	[ "$(echo $(daemons))" = "$d" ] || fail "round $round: daemons changed"
	"$SYSG" stop >out 2>&1 || fail "stop: $(cat out)"
	gone $d || fail "daemon $d survived stop"
	for a in "$T/cs-one 1041" "$T/cs-two 1042"; do
		[ "$(count_argv "$a")" = 0 ] || fail "'$a' survived stop"
	done
done
