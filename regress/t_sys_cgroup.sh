# --sys cgroups: with limits.cgroup.root under a writable cgroup2 mount,
# the service runs in <root>/<service> (and so does a descendant that
# left its session); a fork bomb under pids_max is contained where the
# pids controller exists, else the refused pids.max write is a warning
# in supervisor.log and the start still succeeds; `sysg stop -s` kills
# the whole group and removes its directory.  Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

base=
for d in /sys/fs/cgroup/unified /sys/fs/cgroup; do
	if [ "$(stat -f -c %T "$d" 2>/dev/null)" = cgroup2fs ]; then
		base=$d; break
	fi
done
[ -n "$base" ] || skip "no cgroup2 mount"
CG=$base/sysgtest-$$
mkdir "$CG" 2>/dev/null || skip "$base is not writable"
at_exit 'for g in "$CG"/*/; do
	[ -f "$g/cgroup.procs" ] || continue
	for p in $(cat "$g/cgroup.procs"); do kill -9 $p; done
	sleep 0.1; rmdir "$g"
done 2>/dev/null; rmdir "$CG"'
[ -x "$PY" ] || skip "no python3"
outdir

cat > "$T/bomb.py" <<'P'
import os, sys, time
out = sys.argv[1]
n = f = 0
for i in range(40):
    try:
        pid = os.fork()
    except OSError:
        f += 1
        continue
    if pid == 0:
        time.sleep(60)
        os._exit(0)
    n += 1
with open(out + ".new", "w") as fh:
    fh.write("%d %d\n" % (n, f))
os.rename(out + ".new", out)
time.sleep(1000)
P
write_conf <<Y
version: 1
services:
  cgs:
    command: sh -c 'setsid sleep 1401 & exec sleep 1400'
    limits:
      cgroup:
        root: $CG
  bomb:
    command: $PY $T/bomb.py $T/o/bomb
    limits:
      cgroup:
        root: $CG
        pids_max: 10
  plain:
    command: sleep 1402
Y
start_sys >out 2>&1 || fail "start -d: $(cat out)"
p=$(unit_pid cgs)
[ -n "$p" ] || fail "no pid for cgs"
grep -qx "$p" "$CG/cgs/cgroup.procs" ||
    fail "pid $p not in $CG/cgs/cgroup.procs: $(cat "$CG/cgs/cgroup.procs")"
wait_for 5 test "$(wc -l < "$CG/cgs/cgroup.procs")" -ge 2
esc=$(grep -vx "$p" "$CG/cgs/cgroup.procs" | head -1)
tr '\0' ' ' < /proc/$esc/cmdline | grep -q "sleep 1401" ||
    fail "second process in the group is not the setsid sleep"
[ "$(ps -o sid= -p $esc | tr -d ' ')" != "$(ps -o sid= -p $p | tr -d ' ')" ] ||
    fail "the descendant did not leave the session"
grep -q "^0::/sysgtest-$$/cgs\$\|^0::.*/sysgtest-$$/cgs\$" /proc/$p/cgroup ||
    fail "/proc/$p/cgroup: $(grep ^0:: /proc/$p/cgroup)"
[ "$("$SYSG" inspect cgs --json | json "d['cgroup']")" = "$CG/cgs" ] ||
    fail "inspect cgroup: $("$SYSG" inspect cgs --json | json "d['cgroup']")"
pp=$(unit_pid plain)
grep -q "sysgtest-$$" /proc/$pp/cgroup && fail "plain is in a sysg cgroup"

# pids_max: contained, or a warning
bp=$(unit_pid bomb)
grep -qx "$bp" "$CG/bomb/cgroup.procs" || fail "bomb not in its group"
wait_for 10 test -f "$T/o/bomb"
set -- $(cat "$T/o/bomb")
if [ -f "$CG/bomb/pids.max" ]; then
	[ "$(cat "$CG/bomb/pids.max")" = 10 ] ||
	    fail "pids.max $(cat "$CG/bomb/pids.max")"
	note "fork bomb: $1 forks, $2 refused"
	[ "$2" -gt 0 ] || fail "fork bomb not contained: $1 forks"
	[ "$(cat "$CG/bomb/pids.current")" -le 10 ] ||
	    fail "pids.current $(cat "$CG/bomb/pids.current")"
else
	note "no pids controller in $CG: $1 forks, $2 refused"
	suplog | grep "bomb" | grep -q "pids" ||
	    fail "no pids warning for bomb in supervisor.log: $(suplog)"
	suplog | grep "cgs:" | grep -q "pids" &&
	    fail "a pids warning for cgs, which sets no pids_max"
	"$SYSG" --sys status >st 2>&1
	grep -qi "pids" st ||
	    note "sysg status does not show the cgroup warning"
fi
[ "$(unit_state bomb)" = running ] || fail "bomb: $(unit_state bomb)"

# stop -s: the whole group dies and the directory goes
"$SYSG" --sys stop -s cgs >out 2>&1 || fail "stop -s cgs: $(cat out)"
gone $p || fail "cgs survived stop"
gone $esc || fail "the descendant that left the session survived stop"
wait_for 5 test ! -d "$CG/cgs"
"$SYSG" --sys stop -s bomb >out 2>&1 || fail "stop -s bomb: $(cat out)"
wait_for 5 test ! -d "$CG/bomb"
alive $pp || fail "plain was disturbed"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
