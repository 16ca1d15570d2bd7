# Shared helpers for the black-box tests (sourced).  Each test gets its
# own state directory; every wait has a deadline; cleanup stops the
# daemon with `sysg stop` and then kills, by pid, whatever it started.
# regress/run.sh also runs each test under a subreaper that kills any
# leftover descendant by pid.

set -u
: "${SYSG:?SYSG must point at the sysg binary}"
T=$(mktemp -d /tmp/sysg-test.XXXXXX)
export SYSG_STATE_DIR="$T/state"
export NO_COLOR=1
cd "$T" || exit 1

_pids=""

note() { echo "# $*"; }
fail() { echo "FAIL: $*"; exit 1; }
skip() { echo "$*"; exit 77; }

# track PID: remember a pid we started, killed at the end
track() { _pids="$_pids $1"; }

cleanup() {
	"$SYSG" stop >/dev/null 2>&1 || true
	for p in $_pids; do kill -9 "$p" 2>/dev/null; done
	if [ -f "$SYSG_STATE_DIR/sysg.pid" ]; then
		dp=$(cat "$SYSG_STATE_DIR/sysg.pid" 2>/dev/null)
		[ -n "$dp" ] && kill -9 "$dp" 2>/dev/null
	fi
	rm -rf "$T"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

# wait_for SECONDS CMD...: poll (20 ms) until CMD succeeds, else fail
wait_for() {
	_limit=$1; shift
	_end=$(( $(date +%s%N) / 1000000 + _limit * 1000 ))
	while ! "$@" >/dev/null 2>&1; do
		[ $(( $(date +%s%N) / 1000000 )) -ge $_end ] &&
		    fail "timed out after ${_limit}s waiting for: $*"
		sleep 0.02
	done
}

# now_ms: wall clock in milliseconds
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }

# write_conf: config from stdin to ./sysg.yaml
write_conf() { cat > "$T/sysg.yaml"; }

start_d() { "$SYSG" start -c "$T/sysg.yaml" -d "$@"; }

# jq-free JSON access through python3
json() { python3 -c "import json,sys; d=json.load(sys.stdin); print($1)"; }

# unit_field NAME FIELD: from status --json
unit_field() {
	"$SYSG" status --json 2>/dev/null | python3 -c "
import json,sys
d=json.load(sys.stdin)
for u in d['units']:
    if u['name']=='$1':
        v=u.get('$2'); print('' if v is None else v)
"
}

unit_state() { unit_field "$1" state; }
unit_pid() { unit_field "$1" pid; }
state_is() { [ "$(unit_state "$1")" = "$2" ]; }

daemon_pid() { cat "$SYSG_STATE_DIR/sysg.pid"; }

# role_pid ROLE: pid of a daemon role (child of the parent)
role_pid() {
	_pp=$(daemon_pid)
	for _p in $(ps -o pid= --ppid "$_pp"); do
		if tr '\0' ' ' < /proc/$_p/cmdline 2>/dev/null |
		    grep -q "sysg: $1"; then
			echo "$_p"; return 0
		fi
	done
	return 1
}

alive() { kill -0 "$1" 2>/dev/null && [ "$(ps -o stat= -p "$1" | cut -c1)" != Z ]; }
gone() { ! alive "$1"; }

# count_argv ARGS: processes whose whole command line is ARGS
count_argv() {
	python3 -c '
import os, sys
n = 0
for p in os.listdir("/proc"):
    try:
        c = open("/proc/%s/cmdline" % p, "rb").read() if p.isdigit() else b""
    except OSError:
        continue
    n += c.replace(b"\0", b" ").decode(errors="replace") == sys.argv[1] + " "
print(n)' "$1"
}

# daemons: pids of every `sysg: parent` holding our state dir's lock
daemons() {
	python3 -c '
import os, sys
for p in os.listdir("/proc"):
    try:
        if not p.isdigit() or not open("/proc/%s/cmdline" % p,
                "rb").read().startswith(b"sysg: parent"):
            continue
        fds = os.listdir("/proc/%s/fd" % p)
    except OSError:
        continue
    for f in fds:
        try:
            if os.readlink("/proc/%s/fd/%s" % (p, f)) == sys.argv[1]:
                print(p)
                break
        except OSError:
            pass' "$SYSG_STATE_DIR/sysg.lock"
}
