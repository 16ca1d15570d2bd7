# Lossless logs across supervisor crashes: a burst of numbered lines on
# stdout and stderr (20 MB/s each) while the supervisor is killed with
# SIGKILL twice.  The spawner keeps the pipes and hands them to the new
# supervisor: no byte is lost, and the only repeats are re-statements
# of the chunk that was in flight (at most 1 MiB, the pipe size), once
# per kill at most.  The service keeps its pid.  Known: a kill while the
# pipe is mid-line breaks that line in two (the next supervisor puts in
# a newline); the checker counts those.  50 MB per stream by default
# (CI budget); SYSG_TEST_BIG=1 writes 200 MB per stream.
. "$TOP/regress/lib.sh"

cc -O2 -o "$T/gen" "$TOP/regress/logs_gen.c" || skip "cannot compile logs_gen.c"
N=500000				# lines of 100 bytes: 50 MB
[ "${SYSG_TEST_BIG:-0}" = 1 ] && N=2000000
L=$SYSG_STATE_DIR/logs
size=$(( N * 100 ))
R=200000			# lines/s per stream (20 MB/s): kills land mid-burst

write_conf <<Y
version: 1
logs:
  max_bytes: 8M
  max_files: 50
services:
  burst:
    command: "$T/gen -g $T/go -r $R -n $N & $T/gen -g $T/go -r $R -n $N >&2; wait"
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
state_is burst running || fail "burst: $(unit_state burst)"
bpid=$(unit_pid burst)

# logged STREAM: bytes in the files of that stream so far
logged() {
	stat -c %s "$L"/burst.$1.log* 2>/dev/null |
	    awk '{ t += $1 } END { print t + 0 }'
}
at_least() { [ "$(logged stdout)" -ge "$1" ]; }
new_sup() {
	_s=$(role_pid supervisor) && [ "$_s" != "$1" ] && alive "$_s"
}

: >"$T/go"
for frac in 20 60; do
	wait_for 60 at_least $(( size * frac / 100 ))
	sp=$(role_pid supervisor) || fail "no supervisor"
	kill -9 "$sp"
	note "killed supervisor $sp at $(logged stdout) bytes of stdout"
	wait_for 20 new_sup "$sp"
done
# 40% of the burst was still to come: the service cannot have finished
# while the supervisor was down (it would be blocked on its pipe).
wait_for 10 "$SYSG" status -s burst
p=$(unit_pid burst)
[ -z "$p" ] || [ "$p" = "$bpid" ] || fail "burst pid $p after the kills, was $bpid"
wait_for 120 state_is burst exited
[ "$(unit_field burst restarts)" = 0 ] || fail "burst was restarted"

complete() {
	[ "$(logged stdout)" -ge $size ] && [ "$(logged stderr)" -ge $size ]
}
wait_for 30 complete
for s in stdout stderr; do
	python3 "$TOP/regress/logs_check.py" --restate 1048576 --junctions 2 \
	    "$L" burst $s $N || exit 1
	nf=$(ls "$L" | grep -c "^burst\.$s\.log")
	[ "$nf" -le 51 ] || fail "$nf $s files, max_files is 50"
done
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
exit 0
