# Hooks: which fire, in what order, with which variables, for a start
# (after ready), a crash, an automatic restart and a manual stop; a hook
# that outlives its timeout is killed while the daemon keeps answering.
. "$TOP/regress/life_lib.sh"

H='echo "$SYSG_EVENT $SYSG_OUTCOME ${SYSG_EXIT_CODE:-} ${SYSG_SIGNAL:-}" >> '$T/hooks
write_conf <<Y
version: 1
services:
  h:
    command: "while [ ! -f $T/CRASH ]; do sleep 0.05; done; rm -f $T/CRASH; exit 5"
    restart_policy: always
    backoff: 200ms
    health_check:
      command: "test -f $T/READY"
      interval: 100ms
      retries: 1000
    hooks:
      on_start:
        success: { command: '$H' }
        error: { command: '$H' }
      on_stop:
        success: { command: '$H' }
        error: { command: '$H' }
      on_restart:
        success: { command: '$H' }
        error: { command: '$H' }
  slowhook:
    command: sleep 1061
    hooks:
      on_stop:
        success:
          command: 'echo \$\$ > $T/HOOKPID; exec sleep 1062'
          timeout: 1s
Y
start_d --wait 1 >out 2>&1
got() { tr -s ' ' < hooks | sed 's/ $//'; }

# hook timeout: the sleeping hook is killed at 1 s; status answers
wait_for 5 state_is slowhook running
"$SYSG" stop -s slowhook >out 2>&1 || { cat out; fail "stop -s slowhook"; }
wait_for 5 test -s HOOKPID
hp=$(cat HOOKPID); track "$hp"
t0=$(now_ms)
alive "$hp" || fail "hook pid $hp not alive"
"$SYSG" status >/dev/null 2>&1
[ $? -le 2 ] || fail "status did not answer while a hook runs"
[ $(( $(now_ms) - t0 )) -lt 900 ] || fail "status slow while a hook runs"
wait_for 3 gone "$hp"
el=$(( $(now_ms) - t0 ))
note "hook killed after ~${el} ms"
state_is slowhook stopped || fail "slowhook: $(unit_state slowhook)"

# start: nothing until ready, then start success
state_is h starting || fail "h: $(unit_state h)"
[ "$(lines hooks)" = 0 ] || fail "hooks before ready: $(got)"
touch READY
wait_for 5 ge hooks 1
[ "$(got)" = "start success" ] || fail "after start: $(got)"

# crash: stop error 5, then the restart: start success + restart success 5
p=$(unit_pid h)
touch CRASH
wait_for 5 ge hooks 4
# on_start.success and on_restart.success are fired in that order but
# run concurrently, so they may land in the file either way round.
want=$(printf 'start success\nstop error 5\nrestart success 5\nstart success')
[ "$(got | sed -n 1,2p; got | sed -n 3,4p | sort)" = "$want" ] ||
    fail "after crash: $(got | tr '\n' ,)"
[ "$(unit_pid h)" != "$p" ] || fail "h has its old pid"

# manual stop: stop success with SYSG_SIGNAL=TERM
"$SYSG" stop -s h >out 2>&1 || { cat out; fail "stop -s h"; }
wait_for 5 ge hooks 5
[ "$(got | tail -n 1)" = "stop success TERM" ] ||
    fail "after stop: $(got | tail -n 1)"
end=$(( $(now_ms) + 300 ))	# no stray extra hook shows up
while [ $(now_ms) -lt $end ]; do
	[ "$(lines hooks)" = 5 ] || fail "extra hooks: $(got)"
	sleep 0.05
done
exit 0
