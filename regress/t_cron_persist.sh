# Cron history survives a daemon restart (sysg stop; sysg start -d) and
# a reload that edits the job; runs missed while the daemon was down are
# not caught up.
. "$TOP/regress/lib.sh"

conf() {
	write_conf <<Y
version: 1
services:
  tick:
    command: "$1"
    cron: "*/1 * * * * *"
Y
}
conf "true"
start_d >out 2>&1 || { cat out; fail "start -d"; }

# starts [OUTCOME]: start times (ms) of the recorded runs
starts() {
	"$SYSG" inspect tick --json | python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)
for r in d["runs"]:
    if len(sys.argv) > 1 and r["outcome"] != sys.argv[1]:
        continue
    t = datetime.datetime.strptime(r["started_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    print(int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000))
' "$@"
}
ge() { [ "$(starts success | wc -l)" -ge "$1" ]; }
wait_for 10 ge 3
starts success > before

"$SYSG" stop >/dev/null 2>&1 || fail "stop"
[ -s "$SYSG_STATE_DIR/cron_state.json" ] || fail "no cron_state.json"
down=$(now_ms)
sleep 2.5
up=$(now_ms)
start_d >out 2>&1 || { cat out; fail "start -d again"; }
starts > after1
for s in $(cat before); do
	grep -qx "$s" after1 || fail "run $s lost across restart"
done
n=$(wc -l < before)
wait_for 10 ge $((n + 2))
# nothing started while the daemon was down
for s in $(starts); do
	if [ "$s" -gt $((down + 100)) ] && [ "$s" -lt "$up" ]; then
		fail "a run at $s while the daemon was down ($down..$up)"
	fi
done

# reload with an edited command: history kept, new runs use the new one
starts success > before2
conf "sh -c 'echo new >> NEW'"
"$SYSG" reload -c "$T/sysg.yaml" >out 2>&1 || { cat out; fail "reload"; }
wait_for 10 test -s NEW
n=$(wc -l < before2)
wait_for 10 ge $((n + 1))
starts > after2
for s in $(cat before2); do
	grep -qx "$s" after2 || fail "run $s lost across reload"
done
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
