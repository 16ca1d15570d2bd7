# A frozen daemon never hangs the CLI: with the control process, then
# the supervisor, stopped (SIGSTOP), `status` and `stop` fail within
# ~5 s with a clear message; after SIGCONT everything answers again.
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

# fast WHAT CMD...: in the background, run sysg CMD and record its exit
# code and duration; the hard limit of 20 s only keeps a hang from
# stalling us.  check_fast then wants every one to have failed within
# 7 s with a clear message.
n=0
fast() {
	what=$1; shift
	n=$((n + 1))
	echo "$what: sysg $*" >r$n.what
	( t0=$(now_ms); timeout 20 "$SYSG" "$@" >r$n.out 2>r$n.err
	  echo $? $(( $(now_ms) - t0 )) >r$n.rc ) &
	track $!
}
check_fast() {
	wait
	for i in $(seq 1 $n); do
		[ -f r$i.rc ] || continue
		what=$(cat r$i.what); read rc dt <r$i.rc; rm r$i.rc
		note "$what: exit $rc after $dt ms: $(cat r$i.err)"
		[ $rc != 124 ] || fail "$what hung (killed after 20 s)"
		[ $dt -lt 7000 ] || fail "$what took $dt ms"
		[ $rc != 0 ] || fail "$what: exit 0"
		[ $rc != 3 ] || fail "$what says no daemon (3)"
		[ -s r$i.err ] || fail "$what printed no error"
		grep -qiE "answer|respond|timed? ?out" r$i.err ||
		    fail "$what: unclear message: $(cat r$i.err)"
	done
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
fast "control frozen" status
fast "control frozen" status --json
fast "control frozen" stop
check_fast
thaw "$ctl"
[ "$(role_pid control)" = "$ctl" ] || fail "control was replaced"

# 2. frozen supervisor: the hello is answered, the request is not
sup=$(role_pid supervisor) || fail "no supervisor"
kill -STOP "$sup"; frozen=$sup
fast "supervisor frozen" status
fast "supervisor frozen" inspect svc
check_fast
thaw "$sup"

# 3. last, as it may take effect once thawed: stop
kill -STOP "$sup"; frozen=$sup
fast "supervisor frozen" stop
check_fast
kill -CONT "$sup"; frozen=""
