# Helpers for the system-mode tests (t_sys_*.sh), sourced after lib.sh
# has been sourced by the test.  Root only: skips otherwise.  The temp
# dir is made world-traversable so that services running as nobody can
# reach their scripts and output files.  Cleanup stops the daemon with
# `sysg --sys stop`, then runs the test's own cleanup steps (at_exit).

[ "$(id -u)" = 0 ] || skip "needs root"
[ -x "$SYSG" ] || fail "no $SYSG"
id nobody >/dev/null 2>&1 || skip "no user nobody"
chmod 755 "$T"
# the unprivileged role user
if id _sysg >/dev/null 2>&1; then ROLE_USER=_sysg; else ROLE_USER=nobody; fi
# python3 for services running as nobody (a pyenv shim under /root is
# out of their reach)
PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

# lib.sh's JSON helpers, with that python3 (a pyenv shim is slow)
json() { "$PY" -c "import json,sys; d=json.load(sys.stdin); print($1)"; }
unit_field() {
	"$SYSG" --sys status --json 2>/dev/null | "$PY" -c "
import json,sys
d=json.load(sys.stdin)
for u in d['units']:
    if u['name']=='$1':
        v=u.get('$2'); print('' if v is None else v)
"
}

_atexit=""
# at_exit CMD: run CMD (a shell string) at cleanup, last added first
at_exit() { _atexit="$1
$_atexit"; }

cleanup() {
	"$SYSG" --sys stop >/dev/null 2>&1 || true
	for p in $_pids; do kill -9 "$p" 2>/dev/null; done
	if [ -f "$SYSG_STATE_DIR/sysg.pid" ]; then
		dp=$(cat "$SYSG_STATE_DIR/sysg.pid" 2>/dev/null)
		[ -n "$dp" ] && kill -9 "$dp" 2>/dev/null
	fi
	eval "$_atexit"
	rm -rf "$T"
}

start_sys() { "$SYSG" --sys start -c "$T/sysg.yaml" -d "$@"; }

# outdir: a directory services running as nobody may write to
outdir() { mkdir -p "$T/o" && chmod 777 "$T/o"; }

# status_field PID FIELD: the value of FIELD in /proc/PID/status
status_field() {
	sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status" | sed 's/[[:space:]]*$//'
}

# file_field FILE FIELD: the same, from a saved copy of a status file
file_field() {
	sed -n "s/^$2:[[:space:]]*//p" "$1" | sed 's/[[:space:]]*$//'
}

# has_line FILE TEXT: FILE exists and has TEXT
has_line() { [ -f "$1" ] && grep -q -- "$2" "$1"; }

# sorted words: "b a c" -> "a b c"
sorted() { echo $* | tr ' ' '\n' | sort -n | tr '\n' ' ' | sed 's/ $//'; }

suplog() { cat "$SYSG_STATE_DIR/logs/supervisor.log" 2>/dev/null; }
