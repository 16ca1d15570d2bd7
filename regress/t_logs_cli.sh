#!/bin/sh
# sysg logs against a hand-made log directory (no daemon): -n, -k, the
# interleaving without NAME, errors, and -f across appends, rotation and
# a file that appears after it started.
set -u
: "${SYSG:?SYSG must name the sysg binary}"

T=$(mktemp -d /tmp/sysg-logs.XXXXXX) || exit 1
FPID=
cleanup() {
	[ -n "$FPID" ] && kill "$FPID" 2>/dev/null
	rm -rf "$T"
}
trap cleanup EXIT
export SYSG_STATE_DIR="$T/state"
unset NO_COLOR
L=$SYSG_STATE_DIR/logs
mkdir -p "$L"
SEP=$(printf ' \342\224\202 ')

fail() {
	echo "FAIL: $*"
	exit 1
}

# same NAME EXPECTED ACTUAL
same() {
	[ "$2" = "$3" ] && return 0
	printf 'FAIL: %s\n--- expected\n%s\n--- got\n%s\n' "$1" "$2" "$3"
	exit 1
}

# wait_line FILE LINE: poll FILE for the exact LINE, 10 s deadline.
wait_line() {
	i=0
	while [ $i -lt 200 ]; do
		grep -qxF -- "$2" "$1" 2>/dev/null && return 0
		sleep 0.05
		i=$((i + 1))
	done
	echo "--- $1:"; cat "$1"
	fail "'$2' never showed up in $1"
}

# stop_follow: SIGTERM the follower, it must exit 0.
stop_follow() {
	kill -TERM "$FPID" || fail "follower already gone"
	wait "$FPID"
	rc=$?
	FPID=
	[ $rc = 0 ] || fail "logs -f exited $rc after SIGTERM"
}

# --- the last N lines
seq 1 1000 >"$L/api.stdout.log"
same "-n 3" "$(printf '998\n999\n1000')" "$($SYSG logs api -n 3)"
same "--lines=2" "$(printf '999\n1000')" "$($SYSG logs --lines=2 api)"
[ "$($SYSG logs api | wc -l)" -eq 50 ] || fail "default is not 50 lines"
[ "$($SYSG logs api | head -n 1)" = 951 ] || fail "default 50: wrong start"
same "-n 0" "" "$($SYSG logs api -n 0)"

# a last line without newline counts
printf 'a\nb\nc' >"$L/nonl.stdout.log"
same "unterminated" "$(printf 'b\nc')" "$($SYSG logs nonl -n 2)"

# a large file: read from the end
seq 1 3000000 >"$L/big.stdout.log"
same "big" "$(printf '2999999\n3000000')" "$($SYSG logs big -n 2)"

# the live file is short: the rest comes from .1 (then .2)
seq 1 10 >"$L/rot.stdout.log.2"
seq 11 20 >"$L/rot.stdout.log.1"
seq 21 22 >"$L/rot.stdout.log"
same "rotated" "$(seq 18 22)" "$($SYSG logs rot -n 5)"
same "rotated .2" "$(seq 8 22)" "$($SYSG logs rot -n 15)"
same "all of it" "$(seq 1 22)" "$($SYSG logs rot -n 100)"

# --- -k, and stdout+stderr merged by timestamp
cat >"$L/db.stdout.log" <<EOF
2026-11-22T10:00:00.100Z out1
2026-11-22T10:00:00.300Z out2
continued out2
2026-11-22T10:00:00.500Z out3
EOF
cat >"$L/db.stderr.log" <<EOF
2026-11-22T10:00:00.200Z err1
2026-11-22T10:00:00.400Z err2
EOF
same "-k stdout" "$(cat "$L/db.stdout.log")" "$($SYSG logs db -k stdout)"
same "-k stderr" "$(cat "$L/db.stderr.log")" "$($SYSG logs db --kind stderr)"
same "-k all" "2026-11-22T10:00:00.100Z out1
2026-11-22T10:00:00.200Z err1
2026-11-22T10:00:00.300Z out2
continued out2
2026-11-22T10:00:00.400Z err2
2026-11-22T10:00:00.500Z out3" "$($SYSG logs db)"
same "-k all -n 2" "2026-11-22T10:00:00.400Z err2
2026-11-22T10:00:00.500Z out3" "$($SYSG logs db -k all -n 2)"

# without timestamps: stdout, then stderr
printf 'o1\no2\n' >"$L/plain.stdout.log"
printf 'e1\n' >"$L/plain.stderr.log"
same "no stamps" "$(printf 'o1\no2\ne1')" "$($SYSG logs plain)"

# --- no NAME: every service, by time, "name │ " padded
rm -f "$L"/*
cat >"$L/a.stdout.log" <<EOF
2026-11-22T10:00:01.000Z a1
2026-11-22T10:00:03.000Z a2
EOF
cat >"$L/bbbb.stderr.log" <<EOF
2026-11-22T10:00:02.000Z b1
2026-11-22T10:00:04.000Z b2
EOF
printf 'old\n' >"$L/cc.stdout.log"
touch -d '2020-01-01 00:00:00' "$L/cc.stdout.log"
printf 'supervisor line\n' >"$L/supervisor.log"
same "interleaved" "cc  ${SEP}old
a   ${SEP}2026-11-22T10:00:01.000Z a1
bbbb${SEP}2026-11-22T10:00:02.000Z b1
a   ${SEP}2026-11-22T10:00:03.000Z a2
bbbb${SEP}2026-11-22T10:00:04.000Z b2" "$($SYSG logs)"
same "interleaved -n 3" "bbbb${SEP}2026-11-22T10:00:02.000Z b1
a   ${SEP}2026-11-22T10:00:03.000Z a2
bbbb${SEP}2026-11-22T10:00:04.000Z b2" "$($SYSG logs -n 3)"
same "-n 2, padding to what is shown" "a   ${SEP}2026-11-22T10:00:03.000Z a2
bbbb${SEP}2026-11-22T10:00:04.000Z b2" "$($SYSG logs -n 2)"
same "no NAME -k stdout" "cc${SEP}old
a ${SEP}2026-11-22T10:00:01.000Z a1
a ${SEP}2026-11-22T10:00:03.000Z a2" "$($SYSG logs -k stdout)"
same "--supervisor" "supervisor line" "$($SYSG logs --supervisor)"

# --- errors: exit 1 with a message
for args in "nope" "nope -k stderr" "-n" "-n x a" "-k both a" "a b" \
    "../etc" "--bogus" "--supervisor a"; do
	# shellcheck disable=SC2086
	$SYSG logs $args >"$T/out" 2>"$T/err"
	rc=$?
	[ $rc = 1 ] || fail "logs $args: exit $rc, expected 1"
	[ -s "$T/err" ] || fail "logs $args: no message"
	[ -s "$T/out" ] && fail "logs $args: printed on stdout"
done
$SYSG logs nope 2>&1 | grep -q "nope" || fail "unknown unit not named"
$SYSG logs --help >/dev/null || fail "--help"

# --- -f: appends, rotation
seq 1 5 >"$L/web.stdout.log"
$SYSG logs web -f -n 2 >"$T/f.out" 2>"$T/f.err" &
FPID=$!
wait_line "$T/f.out" 5
echo six >>"$L/web.stdout.log"
wait_line "$T/f.out" six
printf 'sev' >>"$L/web.stdout.log"
printf 'en\n' >>"$L/web.stdout.log"
wait_line "$T/f.out" seven
# rotation as sysg does it: live -> .1, then a new live file
mv "$L/web.stdout.log" "$L/web.stdout.log.1"
echo eight >>"$L/web.stdout.log.1"
echo nine >"$L/web.stdout.log"
wait_line "$T/f.out" nine
echo ten >>"$L/web.stdout.log"
wait_line "$T/f.out" ten
# a second rotation, and stderr appearing later
mv "$L/web.stdout.log" "$L/web.stdout.log.1"
echo eleven >"$L/web.stdout.log"
echo err-one >"$L/web.stderr.log"
wait_line "$T/f.out" eleven
wait_line "$T/f.out" err-one
stop_follow
same "follow output" \
    "$(printf '4\n5\nsix\nseven\neight\nnine\nten\neleven\nerr-one')" \
    "$(cat "$T/f.out")"

# --- -f -n 0: only what comes after the start
$SYSG logs web -f -n 0 >"$T/z.out" 2>"$T/z.err" &
FPID=$!
# It is watching once it holds an inotify fd.
i=0
until ls -l "/proc/$FPID/fd" 2>/dev/null | grep -q inotify; do
	[ $i -lt 200 ] || fail "logs -f never started watching"
	sleep 0.05
	i=$((i + 1))
done
echo zero >>"$L/web.stdout.log"
wait_line "$T/z.out" zero
stop_follow
same "-f -n 0" zero "$(cat "$T/z.out")"

# --- -f before the file exists
$SYSG logs late -f >"$T/l.out" 2>"$T/l.err" &
FPID=$!
i=0
while [ ! -s "$T/l.err" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i + 1)); done
echo first >"$L/late.stdout.log"
wait_line "$T/l.out" first
echo second >>"$L/late.stdout.log"
wait_line "$T/l.out" second
stop_follow

# --- -f without NAME: a service that starts logging later
rm -f "$L"/*
echo a1 >"$L/a.stdout.log"
$SYSG logs -f >"$T/a.out" 2>"$T/a.err" &
FPID=$!
wait_line "$T/a.out" "a${SEP}a1"
echo hello >"$L/newcomer.stderr.log"
wait_line "$T/a.out" "newcomer${SEP}hello"
echo a3 >>"$L/a.stdout.log"
wait_line "$T/a.out" "a       ${SEP}a3"
stop_follow

echo "logs cli: ok"
exit 0
