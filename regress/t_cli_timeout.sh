# A frozen daemon never hangs the CLI: with the control process, then
# the supervisor, stopped (SIGSTOP), `status` and `stop` fail within
# ~6 s with a clear message; after SIGCONT everything answers again.
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1071
Y
start_d >out 2>&1 || { cat out; fail "start -d: $(cat out)"; }
dp=$(daemon_pid)
svc=$(unit_pid svc)
frozen=""
# cleanup must not leave a stopped process behind
trap 'for p in $frozen; do kill -CONT $p 2>/dev/null; done; cleanup' EXIT INT TERM

# must_fail_fast WHAT CMD...: CMD exits non-zero within 7 s, with a
# message; the hard limit of 20 s only keeps a hang from stalling us
must_fail_fast() {
	what=$1; shift
	t0=$(now_ms)
	timeout 20 "$SYSG" "$@" >o 2>e; rc=$?
	dt=$(( $(now_ms) - t0 ))
	note "$what: sysg $*: exit $rc after $dt ms: $(cat e)"
	[ $rc != 124 ] || fail "$what: sysg $* hung (killed after 20 s)"
	[ $dt -lt 7000 ] || fail "$what: sysg $* took $dt ms"
	[ $rc != 0 ] || fail "$what: sysg $* exit 0"
	[ $rc != 3 ] || fail "$what: sysg $* says no daemon (3)"
	[ -s e ] || fail "$what: sysg $* printed no error"
	grep -qiE "answer|respond|timed? ?out" e ||
	    fail "$what: unclear message: $(cat e)"
}

thaw() {
	kill -CONT "$1"
	frozen=""
	wait_for 5 "$SYSG" status
	[ "$(daemon_pid)" = "$dp" ] && alive "$dp" || fail "daemon gone"
	[ "$(unit_pid svc)" = "$svc" ] || fail "svc disturbed"
}

# 1. frozen control: nobody answers the hello
ctl=$(role_pid control) || fail "no control"
kill -STOP "$ctl"; frozen=$ctl
must_fail_fast "control frozen" status
must_fail_fast "control frozen" status --json
must_fail_fast "control frozen" stop
thaw "$ctl"
[ "$(role_pid control)" = "$ctl" ] || fail "control was replaced"

# 2. frozen supervisor: the hello is answered, the request is not
sup=$(role_pid supervisor) || fail "no supervisor"
kill -STOP "$sup"; frozen=$sup
must_fail_fast "supervisor frozen" status
must_fail_fast "supervisor frozen" inspect svc
thaw "$sup"

# 3. last, as it may take effect once thawed: stop
kill -STOP "$sup"; frozen=$sup
must_fail_fast "supervisor frozen" stop
kill -CONT "$sup"; frozen=""
