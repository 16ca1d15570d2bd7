# Cron: a "*/2 * * * * *" job runs about every 2 s; runs that exit 0,
# exit 3 and die by SIGKILL are recorded with their exit code or signal
# and outcomes success/failed/failed; status exits 2 while a last run
# failed, and shows next_run in the future.
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  ok:
    command: "true"
    cron: "*/2 * * * * *"
  three:
    command: "sh -c 'exit 3'"
    cron: "*/2 * * * * *"
  killed:
    command: "kill -9 $$"
    cron: { expression: "*/2 * * * * *" }
Y
start_d >out 2>&1 || { cat out; fail "start -d: $(cat out)"; }

# runs NAME: one line per finished run: outcome exit_code signal start_ms
runs() {
	"$SYSG" inspect "$1" --json | python3 -c '
import json, sys, datetime
d = json.load(sys.stdin)
for r in d["runs"]:
    if r["outcome"] is None:
        continue
    t = datetime.datetime.strptime(r["started_at"], "%Y-%m-%dT%H:%M:%S.%fZ")
    ms = int(t.replace(tzinfo=datetime.timezone.utc).timestamp() * 1000)
    print(r["outcome"], r["exit_code"], r["signal"], ms)
'
}
nruns() { [ "$(runs "$1" | wc -l)" -ge "$2" ]; }

for u in ok three killed; do wait_for 12 nruns $u 3; done
for u in ok three killed; do
	runs $u > runs.$u
	note "$u: $(tr '\n' '|' < runs.$u)"
done
awk '$1 != "success" || $2 != "0" || $3 != "None" { exit 1 }' runs.ok ||
    fail "ok: $(cat runs.ok)"
awk '$1 != "failed" || $2 != "3" || $3 != "None" { exit 1 }' runs.three ||
    fail "three: $(cat runs.three)"
awk '$1 != "failed" || $2 != "None" || $3 != "9" { exit 1 }' runs.killed ||
    fail "killed: $(cat runs.killed)"
# about every 2 s, on even seconds
awk 'NR > 1 { d = $4 - p; if (d < 1000 || d > 3000) exit 1 } { p = $4 }
    ' runs.ok || fail "ok: runs not 2 s apart: $(cat runs.ok)"
awk '{ if (int($4 / 1000) % 2 != 0) exit 1 }' runs.ok ||
    fail "ok: runs not on even seconds: $(cat runs.ok)"

# status: failing (exit 2); last_run and next_run per unit
"$SYSG" status >st 2>&1
rc=$?
[ $rc = 2 ] || fail "status exit $rc, want 2: $(cat st)"
"$SYSG" status --json > st.json || true
python3 - st.json <<'P' || fail "status --json: $(cat st.json)"
import json, sys, datetime
d = json.load(open(sys.argv[1]))
u = {x["name"]: x for x in d["units"]}
now = datetime.datetime.now(datetime.timezone.utc)
for n, h, oc in (("ok", "healthy", "success"), ("three", "failing", "failed"),
                 ("killed", "failing", "failed")):
    x = u[n]
    assert x["kind"] == "cron", x
    assert x["health"] == h, x
    assert x["last_run"]["outcome"] == oc, x
    nr = datetime.datetime.fromisoformat(x["next_run"])
    assert nr.utcoffset() is not None, x
    assert now - datetime.timedelta(seconds=3) < nr < now + datetime.timedelta(seconds=5), x
assert d["overall_health"] == "failing", d
P
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
