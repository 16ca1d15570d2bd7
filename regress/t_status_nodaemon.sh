# status with no daemon exits 3 quickly, with valid JSON; stop says so, 0.
. "$TOP/regress/lib.sh"

t0=$(now_ms)
"$SYSG" status >out 2>&1; rc=$?
[ $rc = 3 ] || fail "status exit $rc, want 3"
[ $(( $(now_ms) - t0 )) -lt 2000 ] || fail "status took too long"
"$SYSG" status --json >out 2>/dev/null; rc=$?
[ $rc = 3 ] || fail "status --json exit $rc"
python3 -c "import json; d=json.load(open('out')); assert d['daemon'] is None" ||
    fail "no-daemon JSON: $(cat out)"
"$SYSG" stop 2>err; rc=$?
[ $rc = 0 ] || fail "stop without daemon exit $rc"
grep -q "no daemon" err || fail "stop without daemon says: $(cat err)"
