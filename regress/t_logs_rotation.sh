# Rotation with a small max_bytes: max_bytes 100K, max_files 3,
# timestamps on.  After ~1 MB of numbered lines there are at most four
# files (live + .1 .2 .3), none larger than 100K, the rotated ones
# nearly full; every line starts with an RFC 3339 UTC timestamp with
# milliseconds and one space, taken during the run and never going
# back; and the files hold the last lines of the sequence, in order,
# each once (the older files were deleted).
. "$TOP/regress/lib.sh"

cc -O2 -o "$T/gen" "$TOP/regress/logs_gen.c" || skip "cannot compile logs_gen.c"
N=10000				# lines of 100 bytes: 1 MB (+ 25 bytes of stamp)
L=$SYSG_STATE_DIR/logs

write_conf <<Y
version: 1
logs:
  max_bytes: 100K
  max_files: 3
  timestamps: true
services:
  rot:
    command: $T/gen -g $T/go -n $N
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
t0=$(date -u +%s)
: >"$T/go"
wait_for 30 state_is rot exited
last_line_in() { tail -n 1 "$L/rot.stdout.log" | grep -q "$(printf '%010d ' $N)"; }
wait_for 10 last_line_in
t1=$(( $(date -u +%s) + 1 ))

ls "$L" >"$T/files"
nf=$(grep -c '^rot\.stdout\.log' "$T/files")
[ "$nf" -le 4 ] || fail "$nf files: $(cat "$T/files")"
[ "$nf" = 4 ] || fail "only $nf files after 1 MB at max_bytes 100K"
for k in .1 .2 .3; do
	[ -f "$L/rot.stdout.log$k" ] || fail "no rot.stdout.log$k"
done
grep -q '^rot\.stdout\.log\.4' "$T/files" && fail "rot.stdout.log.4 kept"
for f in "$L"/rot.stdout.log*; do
	sz=$(wc -c < "$f")
	[ "$sz" -le 102400 ] || fail "$(basename "$f") is $sz bytes > 100K"
	case $f in
	*.log) ;;
	*)	# rotated: full up to less than one line (125 bytes)
		[ "$sz" -gt $(( 102400 - 125 )) ] ||
		    fail "$(basename "$f") is only $sz bytes";;
	esac
done

python3 - "$L" "$t0" "$t1" <<'P' || exit 1
import datetime, re, sys
d, t0, t1 = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
pat = re.compile(rb'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d\d\d)Z (.*)$')
prev = None
for f in ['.3', '.2', '.1', '']:
    for i, ln in enumerate(open(d + '/rot.stdout.log' + f, 'rb').read()
                           .split(b'\n')[:-1]):
        m = pat.match(ln)
        if not m:
            print('FAIL: rot.stdout.log%s:%d: no timestamp: %r'
                  % (f, i + 1, ln[:60]))
            sys.exit(1)
        t = datetime.datetime.strptime(m.group(1).decode(),
                                       '%Y-%m-%dT%H:%M:%S.%f')
        t = t.replace(tzinfo=datetime.timezone.utc).timestamp()
        if not t0 <= t <= t1:
            print('FAIL: timestamp %s outside the run' % m.group(1))
            sys.exit(1)
        if prev is not None and t < prev:
            print('FAIL: timestamp goes back: %r' % ln[:60])
            sys.exit(1)
        prev = t
P
python3 "$TOP/regress/logs_check.py" --ts --tail "$L" rot stdout $N || exit 1
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
exit 0
