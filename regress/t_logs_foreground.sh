# `sysg start` in the foreground: service output is echoed prefixed
# "name │ " (names padded to the longest); SIGINT to that process (and
# only to it) stops everything cleanly and it exits 0; the lines a
# service writes while it stops (a TERM trap that echoes "bye") are in
# its log file.
. "$TOP/regress/lib.sh"

L=$SYSG_STATE_DIR/logs
# poll SECONDS CMD...: like wait_for, but returns 1 on time-out
poll() {
	_end=$(( $(now_ms) + $1 * 1000 )); shift
	until "$@" >/dev/null 2>&1; do
		[ "$(now_ms)" -ge $_end ] && return 1
		sleep 0.02
	done
}
write_conf <<Y
version: 1
services:
  talker:
    command: "echo hello one; echo hello two >&2; exec sleep 1071"
  byer:
    command: "trap 'echo bye; exit 0' TERM; echo ready; while :; do sleep 0.05; done"
Y
# A background job of a non-interactive shell starts with SIGINT
# ignored; sysg must take it over.
"$SYSG" start -c "$T/sysg.yaml" >"$T/fg.out" 2>&1 &
FG=$!
track $FG
SEP=$(printf ' \342\224\202 ')
shown() { grep -qxF -- "$1" "$T/fg.out"; }
if ! poll 20 shown "talker$SEP""hello one"; then
	cat "$T/fg.out"; exit 1
fi
wait_for 10 shown "talker$SEP""hello two"
wait_for 10 shown "byer  $SEP""ready"
wait_for 10 state_is byer running
wait_for 10 state_is talker running
[ "$(daemon_pid)" = $FG ] || note "daemon pid $(daemon_pid), foreground pid $FG"
pids="$(unit_pid talker) $(unit_pid byer)"
roles=$(ps -o pid= --ppid "$(daemon_pid)")

kill -INT $FG
if ! poll 30 gone $FG; then
	cat "$T/fg.out"; fail "sysg start did not exit on SIGINT"
fi
wait $FG
rc=$?
[ $rc = 0 ] || { cat "$T/fg.out"; fail "sysg start exited $rc on SIGINT"; }
for p in $pids $roles; do
	gone "$p" || fail "pid $p ($(cat /proc/$p/cmdline | tr '\0' ' ')) survived"
done
grep -qx bye "$L/byer.stdout.log" ||
    fail "byer.stdout.log lacks bye: $(cat "$L/byer.stdout.log")"
grep -qx "hello one" "$L/talker.stdout.log" || fail "talker.stdout.log"
grep -qx "hello two" "$L/talker.stderr.log" || fail "talker.stderr.log"
shown "byer  $SEP""bye" || note "bye not echoed (in the log file only)"
[ -e "$SYSG_STATE_DIR/sysg.pid" ] && fail "sysg.pid left behind"
"$SYSG" status >/dev/null 2>&1
[ $? = 3 ] || fail "status after SIGINT should exit 3"
exit 0
