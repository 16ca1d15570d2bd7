# --sys control socket access with a group sysg (created here, deleted
# at exit): the state dir is 0710 role-user:sysg and control.sock 0660
# root:sysg; a member (daemon, added to the group) may run status,
# inspect and logs but every state-changing request is refused with
# exit 4 and "permission denied", logged with its uid and pid; a client
# whose gid is sysg counts as a member; a uid outside the group (bin)
# cannot reach the socket, and with the socket opened up is refused for
# status too.  root may do everything.  Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

command -v setpriv >/dev/null || skip "no setpriv"
command -v groupadd >/dev/null && command -v gpasswd >/dev/null &&
    command -v groupdel >/dev/null || skip "no groupadd/gpasswd/groupdel"
getent group sysg >/dev/null && skip "a group sysg exists already"
muid=$(id -u daemon) || skip "no user daemon"
ouid=$(id -u bin) || skip "no user bin"
id -nG daemon | grep -qw sysg && skip "daemon in sysg"
groupadd sysg || skip "groupadd sysg failed"
at_exit 'groupdel sysg'
gpasswd -a daemon sysg >/dev/null || fail "gpasswd -a daemon sysg"
sgid=$(getent group sysg | cut -d: -f3)
nuid=$(id -u $ROLE_USER)

write_conf <<'Y'
version: 1
services:
  svc:
    command: sh -c 'echo hello-from-svc; exec sleep 1701'
Y
start_sys >out 2>&1 || fail "start -d: $(cat out)"
sd=$SYSG_STATE_DIR
dp=$(daemon_pid)
svc=$(unit_pid svc)
wait_for 5 has_line "$sd/logs/svc.stdout.log" hello-from-svc

# the modes and owners that make it work
[ "$(stat -c '%a %u %g' "$sd")" = "710 $nuid $sgid" ] ||
    fail "state dir: $(stat -c '%a %U:%G' "$sd")"
[ "$(stat -c '%a %u %g' "$sd/control.sock")" = "660 0 $sgid" ] ||
    fail "control.sock: $(stat -c '%a %U:%G' "$sd/control.sock")"
[ "$(stat -c '%a %g' "$sd/logs")" = "2750 $sgid" ] ||
    fail "log dir: $(stat -c '%a %U:%G' "$sd/logs")"
for f in "$sd"/logs/*; do
	note "$(stat -c '%a %U:%G %n' "$f")"
	[ "$(stat -c '%a %g' "$f")" = "640 $sgid" ] ||
	    fail "log file $(stat -c '%a %U:%G %n' "$f")"
	[ "$(stat -c %u "$f")" = "$nuid" ] ||
	    note "KNOWN: $f not owned by the role user (config.md)"
done

# CLIENT ARGS...: run sysg as member / other / gid-member; prints
# "pid N" first on stdout, so refusals can be found in the log
as() {
	case $1 in
	member)	a="--reuid=$muid --regid=$(id -g daemon) --init-groups";;
	other)	a="--reuid=$ouid --regid=$(id -g bin) --init-groups";;
	gidonly) a="--reuid=$ouid --regid=$sgid --clear-groups";;
	esac
	shift
	setpriv $a sh -c 'echo "pid $$"; b=$1; shift; \
	    exec env SYSG_STATE_DIR="$0" NO_COLOR=1 "$b" "$@"' \
	    "$sd" "$SYSG" "$@"
}
intact() {
	[ "$(daemon_pid)" = "$dp" ] && alive "$dp" || fail "$1: daemon gone"
	[ "$(unit_pid svc)" = "$svc" ] && alive "$svc" || fail "$1: svc disturbed"
}

# a member reads
for c in "--sys status" "--sys status --json" "--sys inspect svc" \
    "status"; do
	as member $c >o 2>e; rc=$?
	[ $rc -le 2 ] || fail "member $c: exit $rc: $(cat e)"
	grep -q svc o || fail "member $c: no svc in output: $(cat o)"
done
as member --sys logs svc >o 2>e || fail "member logs: $(cat e)"
grep -q hello-from-svc o || fail "member logs: $(cat o) $(cat e)"
as gidonly --sys status >o 2>e; rc=$?
[ $rc -le 2 ] || fail "client with gid sysg: status exit $rc: $(cat e)"

# a member may not change anything (without --sys, so that the request
# reaches the daemon rather than the CLI's own root check)
for c in "stop" "stop -s svc" "restart -s svc" "start -s svc" "reload"; do
	as member $c >o 2>e; rc=$?
	note "member $c: exit $rc: $(cat e)"
	[ $rc = 4 ] || fail "member $c: exit $rc, want 4: $(cat e)"
	grep -q "permission denied" e ||
	    fail "member $c: no 'permission denied': $(cat e)"
	pid=$(sed -n 's/^pid //p' o)
	cmd=${c%% *}
	grep -q "may not $cmd\$" e || fail "member $c: message: $(cat e)"
	wait_for 5 sh -c "grep -q 'refused $cmd from uid $muid pid $pid\$' '$sd/logs/supervisor.log'"
	intact "member $c"
done
as member --sys stop >o 2>e; rc=$?
[ $rc = 1 ] && grep -q -- "--sys requires root" e ||
    fail "member --sys stop: exit $rc: $(cat e)"

# someone else cannot even reach the socket
for c in "--sys status" "stop"; do
	as other $c >o 2>e; rc=$?
	note "other $c: exit $rc: $(cat e)"
	[ $rc != 0 ] && [ $rc != 3 ] || fail "other $c: exit $rc"
	grep -qi "permission denied" e || fail "other $c: $(cat e)"
	intact "other $c"
done
# and, socket opened up, is refused by the daemon, status included
chmod 0711 "$sd"
chmod 0666 "$sd/control.sock"
for c in "--sys status" "inspect svc" "stop" "restart -s svc"; do
	as other $c >o 2>e; rc=$?
	note "other (open socket) $c: exit $rc: $(cat e)"
	[ $rc = 4 ] || fail "other $c: exit $rc, want 4: $(cat e)"
	grep -q "permission denied" e || fail "other $c: $(cat e)"
	intact "other $c"
done
pid=$(sed -n 's/^pid //p' o)
grep -q "refused restart from uid $ouid pid $pid\$" "$sd/logs/supervisor.log" ||
    fail "refusal of uid $ouid not logged: $(suplog | tail -3)"
chmod 0660 "$sd/control.sock"
chmod 0710 "$sd"

# root does what it likes, and that is logged too
"$SYSG" --sys restart -s svc >out 2>&1 || fail "root restart: $(cat out)"
suplog | grep -q "restart requested by uid 0 pid [0-9]" ||
    fail "accepted restart not logged: $(suplog | tail -3)"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
gone "$dp" || fail "daemon survived stop"
