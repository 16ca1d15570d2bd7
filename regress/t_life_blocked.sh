# A failed dependency blocks its dependent, with the reason (also when it
# fails while the dependent is still in its pre_start); starting the
# dependency by hand once it can run brings both up.  skip: true and a
# skip command that exits 0 give state skipped (and block dependents);
# a pre_start that exits 7 fails the start before the service ever ran.
. "$TOP/regress/life_lib.sh"

touch present
write_conf <<Y
version: 1
services:
  a:
    command: "test -f $T/OKFILE && exec sleep 1021"
    restart_policy: never
  b:
    command: sleep 1022
    depends_on: [a]
  s:
    command: sleep 1023
    skip: true
  sd:
    command: sleep 1024
    depends_on: [s]
  sc:
    command: "touch $T/sc.ran; exec sleep 1025"
    skip: "test -f $T/present"
  sn:
    command: "touch $T/sn.ran; exec sleep 1026"
    skip: "test -f $T/absent"
  a2:
    command: "sleep 0.3; exit 1"
  b2:
    command: sleep 1028
    depends_on: [a2]
    deployment:
      pre_start: "sleep 1"
  pre:
    command: "touch $T/pre.ran; exec sleep 1027"
    deployment:
      pre_start: "exit 7"
Y
start_d >out 2>&1 && fail "start -d exit 0 with a failed unit: $(cat out)"

wait_for 10 state_is a failed
wait_for 5 state_is b blocked
r=$(unit_field b reason)
case $r in *a*) ;; *) fail "b's reason does not name a: '$r'";; esac
note "b: $r"

state_is s skipped || fail "s: $(unit_state s), want skipped"
wait_for 5 state_is sd blocked
r=$(unit_field sd reason)
case $r in *s*skip*) ;; *) fail "sd's reason: '$r'";; esac
wait_for 5 state_is sc skipped
[ -e sc.ran ] && fail "sc ran although its skip command exited 0"
wait_for 5 state_is sn running
[ -e sn.ran ] || fail "sn did not run"

wait_for 5 state_is pre failed
r=$(unit_field pre reason)
case $r in *"pre_start exited with 7"*) ;; *) fail "pre's reason: '$r'";; esac
[ -e pre.ran ] && fail "pre's command ran although pre_start failed"

# a2 failed while b2 was still in its pre_start: blocked, not stopped
wait_for 5 state_is a2 failed
wait_for 5 state_is b2 blocked

# Fix a and start it by hand: a runs, then b.
touch OKFILE
"$SYSG" start -s a >out 2>&1 || { cat out; fail "start -s a"; }
wait_for 5 state_is a running
wait_for 5 state_is b running
[ "$(cat /proc/$(unit_pid b)/comm)" = sleep ] || fail "b's pid is not sleep"
exit 0
