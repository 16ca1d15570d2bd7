# An idle cron process: 20 jobs due far away (yearly) cause no periodic
# wakeups: at most 3 context switches of the cron process in 20 s.
. "$TOP/regress/lib.sh"

{
	echo "version: 1"
	echo "services:"
	i=1
	while [ $i -le 20 ]; do
		echo "  job$i:"
		echo "    command: \"true\""
		echo "    cron: \"0 0 0 1 1 *\""
		i=$((i + 1))
	done
} | write_conf
start_d >out 2>&1 || { cat out; fail "start -d"; }
wait_for 5 role_pid cron
cp=$(role_pid cron)
[ -n "$(unit_field job20 next_run)" ] || fail "job20 has no next_run"
sleep 1
ctx() {
	awk '/^voluntary_ctxt_switches|^nonvoluntary_ctxt_switches/ {
	    n += $2 } END { print n }' "/proc/$cp/status"
}
a=$(ctx)
sleep 20
b=$(ctx)
note "cron pid $cp: $((b - a)) context switches in 20 s"
[ $((b - a)) -le 3 ] || fail "cron woke $((b - a)) times in 20 s"
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
