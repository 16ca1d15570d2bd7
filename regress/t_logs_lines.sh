# Line sizes: a service writes a line of 1 byte, one of 4 KiB, one of
# 1 MiB and a last line without newline, on stdout and on stderr, then
# exits 0 (restart never).  Both files hold exactly those bytes, the
# unterminated last line included.  Started once more by hand, its new
# first line starts on a line of its own (a newline is put in after the
# unterminated one), and nothing else changes.
. "$TOP/regress/lib.sh"

L=$SYSG_STATE_DIR/logs
cat >"$T/lines.py" <<'P'
import os
data = (b"x\n" + b"4" * 4095 + b"\n" + b"M" * (1024 * 1024 - 1) + b"\n" +
        b"the end, without newline")
for fd in (1, 2):
    v = memoryview(data)
    while v:
        v = v[os.write(fd, v):]
P
python3 - "$T/expected" <<'P'
import sys
data = (b"x\n" + b"4" * 4095 + b"\n" + b"M" * (1024 * 1024 - 1) + b"\n" +
        b"the end, without newline")
open(sys.argv[1], "wb").write(data)
open(sys.argv[1] + "2", "wb").write(data + b"\n" + data)
P

write_conf <<Y
version: 1
services:
  lines:
    command: python3 $T/lines.py
    restart_policy: never
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
wait_for 20 state_is lines exited
[ "$(unit_field lines last_exit)" = "{'code': 0}" ] ||
    fail "last_exit: $(unit_field lines last_exit)"

# poll SECONDS CMD...: like wait_for, but returns 1 on time-out
poll() {
	_end=$(( $(now_ms) + $1 * 1000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -ge $_end ] && return 1
		sleep 0.02
	done
}
# same_file EXPECTED ACTUAL: byte for byte (the last bytes may still be
# on their way after the exit: poll)
same_file() { cmp -s "$1" "$2"; }
for s in stdout stderr; do
	if ! poll 10 same_file "$T/expected" "$L/lines.$s.log"; then
		cmp "$T/expected" "$L/lines.$s.log"
		fail "lines.$s.log differs: $(wc -c < "$L/lines.$s.log") bytes, expected $(wc -c < "$T/expected")"
	fi
	[ "$(ls "$L" | grep -c "^lines\.$s\.log")" = 1 ] ||
	    fail "lines.$s.log was rotated: $(ls "$L")"
done

# A second run: its first line may not be glued to the unterminated one.
"$SYSG" start -s lines >out 2>&1 || { cat out; fail "start -s lines"; }
wait_for 20 state_is lines exited
for s in stdout stderr; do
	if ! poll 10 same_file "$T/expected2" "$L/lines.$s.log"; then
		cmp "$T/expected2" "$L/lines.$s.log"
		fail "after the second run lines.$s.log differs"
	fi
done
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
exit 0
