# Cron timeout: a run that outlives cron.timeout is killed at ~1 s (its
# pid is gone) and recorded with outcome "timeout".
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  long:
    command: "echo $$ >> PIDS; exec sleep 10"
    cron: { expression: "*/2 * * * * *", timeout: 1s }
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
wait_for 6 test -s PIDS
t0=$(now_ms)
pid=$(head -n 1 PIDS); track "$pid"
wait_for 4 gone "$pid"
el=$(( $(now_ms) - t0 ))
note "run killed after ~${el} ms"
[ "$el" -lt 2500 ] || fail "run killed only after ${el} ms"
outcome() {
	"$SYSG" inspect long --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = [r for r in d["runs"] if r["outcome"] is not None]
if not r: sys.exit(1)
r = r[0]
print(r["outcome"], r["signal"], r["duration_ms"])'
}
has_timeout() { outcome | grep -q '^timeout '; }
wait_for 5 has_timeout
set -- $(outcome)
note "first run: $*"
[ "$2" = 9 ] || fail "timed-out run: signal $2, want 9"
[ "$3" -ge 900 ] && [ "$3" -le 2500 ] || fail "timed-out run lasted $3 ms"
[ "$(unit_field long health)" = failing ] || fail "health not failing"
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
for p in $(cat PIDS); do gone "$p" || fail "run pid $p survived"; done
