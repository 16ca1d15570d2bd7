# sysg start -s JOB runs a cron job once now, even a yearly one, and the
# run is recorded like a scheduled one; next_run stays the yearly time.
. "$TOP/regress/lib.sh"

write_conf <<'Y'
version: 1
services:
  yearly:
    command: "sh -c 'echo ran >> RAN'"
    cron: { expression: "0 0 0 1 1 *", timezone: "UTC" }
  berlin:
    command: "true"
    cron: { expression: "0 30 2 1 1 *", timezone: "Europe/Berlin" }
Y
start_d >out 2>&1 || { cat out; fail "start -d"; }
state_is yearly scheduled || fail "yearly: $(unit_state yearly)"
sleep 0.5
[ ! -e RAN ] || fail "yearly job ran at start"
nr=$(unit_field yearly next_run)
case $nr in
[0-9][0-9][0-9][0-9]-01-01T00:00:00Z) ;;
*) fail "yearly next_run '$nr'";;
esac
nb=$(unit_field berlin next_run)
case $nb in
[0-9][0-9][0-9][0-9]-01-01T02:30:00+01:00) ;;
*) fail "berlin next_run '$nb'";;
esac
"$SYSG" start -s yearly >out 2>&1 || { cat out; fail "start -s yearly"; }
wait_for 5 test -s RAN
done1() {
	"$SYSG" inspect yearly --json | python3 -c '
import json, sys
d = json.load(sys.stdin)
r = d["runs"]
assert len(r) == 1 and r[0]["outcome"] == "success" and r[0]["exit_code"] == 0
assert d["last_run"]["outcome"] == "success"'
}
wait_for 5 done1
[ "$(unit_field yearly next_run)" = "$nr" ] || fail "next_run changed"
[ "$(wc -l < RAN)" = 1 ] || fail "ran $(wc -l < RAN) times"
"$SYSG" stop >/dev/null 2>&1 || fail "stop"
