# Helpers for the service-lifecycle tests (t_life_*.sh), on top of lib.sh.
. "$TOP/regress/lib.sh"

# fail with the daemon's view attached, for diagnosing timing failures
fail() {
	echo "FAIL: $*"
	"$SYSG" status 2>&1 | sed 's/^/# /'
	tail -n 40 "$SYSG_STATE_DIR/logs/supervisor.log" 2>/dev/null |
	    sed 's/^/# /'
	exit 1
}

# lines FILE: number of lines in $T/FILE, 0 if it does not exist
lines() { if [ -f "$T/$1" ]; then wc -l < "$T/$1"; else echo 0; fi; }
# ge FILE N: FILE has at least N lines
ge() { [ "$(lines "$1")" -ge "$2" ]; }
