# Cron overlap: a job due every second that runs 2.5 s is never started
# twice at once; the firings in between are recorded as "overlap".
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  slow:
    command: "mkdir lock || echo both >> BAD; echo x >> STARTS; sleep 2.5; rmdir lock"
    cron: "*/1 * * * * *"
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }

count() {
	"$SYSG" inspect slow --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
print(sum(1 for r in d["runs"] if r["outcome"] == sys.argv[1]))' "$1"
}
ge() { [ "$(count "$1")" -ge "$2" ]; }
wait_for 15 ge success 2
wait_for 5 ge overlap 3
[ ! -e BAD ] || fail "two runs at once: $(cat BAD)"
# overlaps: started == finished, reason given; never two runs in progress
"$SYSG" inspect slow --json > i.json
python3 - i.json <<'P' || fail "runs: $(cat i.json)"
import json, sys
d = json.load(open(sys.argv[1]))
runs = d["runs"]
assert sum(1 for r in runs if r["outcome"] is None) <= 1, runs
for r in runs:
    if r["outcome"] == "overlap":
        assert r["started_at"] == r["finished_at"], r
        assert r["duration_ms"] == 0, r
        assert r["reason"], r
P
# every process that started is a recorded run (finished or running)
starts=$(wc -l < STARTS)
"$SYSG" inspect slow --json > i2.json
runs=$(python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
print(sum(1 for r in d["runs"] if r["outcome"] != "overlap"))' i2.json)
[ "$starts" -le "$runs" ] || fail "$starts starts for $runs runs: $(cat i2.json)"
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
[ ! -e BAD ] || fail "two runs at once: $(cat BAD)"
