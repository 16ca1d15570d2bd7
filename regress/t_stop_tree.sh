# A service that leaves children behind, one of them in its own session,
# and ignores SIGTERM (as does one setsid'd child): `stop -s` with the
# daemon running and then `stop` of everything leave no process behind,
# and they return only once the whole tree is gone.
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  tree:
    command: sh -c 'sleep 1000 & setsid sleep 1001 & trap "" TERM; setsid sleep 1002 & wait'
    stop_timeout: 2s
  other:
    command: sleep 1003
Y

# descendants PID: every process below PID, from /proc
descendants() {
	ps -eo pid=,ppid= | awk -v root="$1" '
	{ pp[$1] = $2 }
	END {
		for (p in pp) {
			q = pp[p]
			while (q > 1) {
				if (q == root) { print p; break }
				q = pp[q]
			}
		}
	}'
}

# args_of PID: command line
args_of() { { tr '\0' ' ' < /proc/$1/cmdline; } 2>/dev/null; }

# tree_ready PID: the three sleeps run below PID; sets $procs
tree_ready() {
	procs=$(descendants "$1")
	for a in "sleep 1000 " "sleep 1001 " "sleep 1002 "; do
		found=0
		for p in $procs; do [ "$(args_of $p)" = "$a" ] && found=1; done
		[ $found = 1 ] || return 1
	done
}

# the tree under the unit's pid, including the pid itself
find_tree() {
	root=$(unit_pid tree)
	[ -n "$root" ] || fail "tree has no pid"
	wait_for 5 tree_ready "$root"
	procs="$root $(descendants "$root")"
	note "tree: $(for p in $procs; do printf '%s(%s) ' $p "$(args_of $p)"; done)"
	# the setsid'd ones really left the session
	for p in $procs; do
		case $(args_of $p) in "sleep 1001 "|"sleep 1002 ")
			[ "$(ps -o sid= -p $p | tr -d ' ')" = "$p" ] ||
			    fail "$(args_of $p) is not a session leader";;
		esac
	done
}

none_left() {
	for p in $procs; do
		alive $p && fail "$1: pid $p ($(args_of $p)) survived"
	done
	return 0
}

start_d >out 2>&1 || { cat out; fail "start -d: $(cat out)"; }
find_tree
other=$(unit_pid other)

# pid_of ARGS: the one of $procs with that command line
pid_of() { for p in $procs; do [ "$(args_of $p)" = "$1" ] && echo $p; done; }

# 1. stop -s with the daemon running.  The main process ignores SIGTERM
# for its 2 s stop_timeout, but the setsid'd "sleep 1001" (which does
# not) gets SIGTERM from the walk for strays long before that.
s1001=$(pid_of "sleep 1001 ")
root=$(unit_pid tree)
t0=$(now_ms)
"$SYSG" stop -s tree >out 2>&1 &
stopper=$!
track $stopper
wait_for 1 gone "$s1001"
alive "$root" || fail "the main process went before its stop_timeout"
note "sleep 1001 got SIGTERM after $(( $(now_ms) - t0 )) ms"
wait $stopper || fail "stop -s tree: $(cat out)"
dt=$(( $(now_ms) - t0 ))
note "stop -s took $dt ms"
none_left "stop -s tree"
[ $dt -lt 8000 ] || fail "stop -s took $dt ms (stop_timeout 2s)"
state_is tree stopped || fail "tree is $(unit_state tree) after stop -s"
[ "$(unit_pid tree)" = "" ] || fail "stopped tree still shows a pid"
[ "$(unit_pid other)" = "$other" ] && alive "$other" ||
    fail "stop -s tree touched other"
"$SYSG" status >/dev/null 2>&1
[ $? != 3 ] || fail "the daemon went away on stop -s"

# 2. start it again, then stop everything
"$SYSG" start -s tree >out 2>&1 || fail "start -s tree: $(cat out)"
wait_for 5 state_is tree running
find_tree
dp=$(daemon_pid)
t0=$(now_ms)
"$SYSG" stop >out 2>&1 || fail "stop: $(cat out)"
dt=$(( $(now_ms) - t0 ))
note "stop took $dt ms"
none_left "stop"
gone "$other" || fail "other survived stop"
gone "$dp" || fail "the daemon survived stop"
[ $dt -lt 8000 ] || fail "stop took $dt ms (stop_timeout 2s)"
