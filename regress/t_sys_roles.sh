# --sys role sandboxes: supervisor, cron and control run as the role
# user (_sysg, else nobody) with no capabilities at all, no supplementary
# groups, NoNewPrivs 1, Seccomp 2, chrooted to /run/sysg/empty (root-owned,
# empty, not writable); the spawner and the parent keep uid 0, the
# spawner with a bounding set cut to what it and the services use.  A role the
# parent restarts after a crash is sandboxed the same way.  Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

ru=$ROLE_USER
ruid=$(id -u $ru)
rgid=$(id -g $ru)
write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1601
    user: nobody
Y
start_sys >out 2>&1 || fail "start -d: $(cat out)"
dp=$(daemon_pid)
[ "$(status_field $dp Uid)" = "0	0	0	0" ] || fail "parent is not root"

# sandboxed ROLE PID
sandboxed() {
	s=/proc/$2/status
	note "$1 ($2): $(grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]*|NoNewPrivs|Seccomp):' $s | tr '\t\n' '  ')"
	[ "$(status_field $2 Uid)" = "$ruid	$ruid	$ruid	$ruid" ] ||
	    fail "$1 Uid: $(status_field $2 Uid)"
	[ "$(status_field $2 Gid)" = "$rgid	$rgid	$rgid	$rgid" ] ||
	    fail "$1 Gid: $(status_field $2 Gid)"
	g=$(status_field $2 Groups)
	[ "$g" = "" ] || [ "$g" = "$rgid" ] || fail "$1 Groups: $g"
	for c in CapEff CapPrm CapInh CapAmb CapBnd; do
		[ "$(status_field $2 $c)" = 0000000000000000 ] ||
		    fail "$1 $c: $(status_field $2 $c)"
	done
	[ "$(status_field $2 NoNewPrivs)" = 1 ] || fail "$1 NoNewPrivs"
	[ "$(status_field $2 Seccomp)" = 2 ] || fail "$1 Seccomp"
	[ "$(readlink /proc/$2/root)" = /run/sysg/empty ] ||
	    fail "$1 root: $(readlink /proc/$2/root)"
	[ "$(readlink /proc/$2/cwd)" = /run/sysg/empty ] ||
	    fail "$1 cwd: $(readlink /proc/$2/cwd)"
}
for r in supervisor cron control; do
	p=$(role_pid $r) || fail "no $r role"
	sandboxed $r $p
done
e=/run/sysg/empty
[ "$(stat -c %u "$e")" = 0 ] || fail "$e not owned by root"
case $(stat -c %A "$e") in d????-??-?) ;; *) fail "$e mode $(stat -c %A "$e")";; esac
[ -z "$(ls -A "$e")" ] || fail "$e is not empty"

sp=$(role_pid spawner) || fail "no spawner role"
note "spawner ($sp): $(grep -E '^(Uid|CapEff|NoNewPrivs|Seccomp):' /proc/$sp/status | tr '\t\n' '  ')"
[ "$(status_field $sp Uid)" = "0	0	0	0" ] ||
    fail "spawner Uid: $(status_field $sp Uid)"
[ "$(readlink /proc/$sp/root)" = / ] || fail "spawner is chrooted"
# no service runs as root: the spawner's bounding set lost what it does
# not use itself (CAP_SYS_MODULE, CAP_SYS_BOOT, CAP_SYS_RAWIO)
b=$((0x$(status_field $sp CapBnd)))
for c in 16 17 22; do
	[ $(( (b >> c) & 1 )) = 0 ] ||
	    fail "spawner CapBnd $(status_field $sp CapBnd) still has cap $c"
done
[ $(( (b >> 6) & 1 )) = 1 ] && [ $(( (b >> 7) & 1 )) = 1 ] ||
    fail "spawner CapBnd $(status_field $sp CapBnd) lacks setgid/setuid"
[ "$(unit_state svc)" = running ] || fail "svc not running"

# a restarted role is sandboxed again
old=$(role_pid control)
kill -9 "$old"
wait_for 5 sh -c "p=\$(ps -o pid= --ppid $dp | tr -d ' '); for x in \$p; do
	tr '\\0' ' ' < /proc/\$x/cmdline | grep -q 'sysg: control' &&
	[ \$x != $old ] && exit 0; done; exit 1"
new=$(role_pid control)
sandboxed "restarted control" $new
"$SYSG" --sys status >/dev/null 2>&1 || fail "status after control restart"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
gone $dp || fail "daemon survived stop"
