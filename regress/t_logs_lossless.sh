# Lossless logs: one service writes a burst of numbered lines to stdout
# and as much to stderr at full speed; with max_bytes 8M and max_files 50
# (nothing deleted) every line is in the files exactly once, in order,
# per stream, across the rotations, and no more than max_files + 1 files
# exist per stream.  50 MB per stream by default (CI budget);
# SYSG_TEST_BIG=1 writes 200 MB per stream.
. "$TOP/regress/lib.sh"

cc -O2 -o "$T/gen" "$TOP/regress/logs_gen.c" || skip "cannot compile logs_gen.c"
N=500000				# lines of 100 bytes: 50 MB
[ "${SYSG_TEST_BIG:-0}" = 1 ] && N=2000000
L=$SYSG_STATE_DIR/logs

write_conf <<Y
version: 1
logs:
  max_bytes: 8M
  max_files: 50
services:
  burst:
    command: "$T/gen -g $T/go -n $N & $T/gen -g $T/go -n $N >&2; wait"
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
state_is burst running || fail "burst: $(unit_state burst)"
t0=$(now_ms)
: >"$T/go"
wait_for 120 state_is burst exited
note "burst of 2 x $N lines logged in $(( $(now_ms) - t0 )) ms"

# The end of file comes after the exit; the last bytes may still be on
# their way to the file.
size=$(( N * 100 ))
complete() {
	for s in stdout stderr; do
		[ "$(cat "$L"/burst.$s.log* | wc -c)" -ge $size ] || return 1
	done
}
wait_for 30 complete

for s in stdout stderr; do
	python3 "$TOP/regress/logs_check.py" "$L" burst $s $N || exit 1
	nf=$(ls "$L" | grep -c "^burst\.$s\.log")
	[ "$nf" -le 51 ] || fail "$nf $s files, max_files is 50"
	[ "$nf" -ge $(( size / (8 * 1024 * 1024) )) ] ||
	    fail "only $nf $s files: no rotation at 8M?"
	for f in "$L"/burst.$s.log*; do
		[ "$(wc -c < "$f")" -le $(( 8 * 1024 * 1024 )) ] ||
		    fail "$f is larger than max_bytes"
	done
done
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
exit 0
