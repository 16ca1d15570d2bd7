# --sys isolation: network (only lo, up), pid (the service is pid 1
# inside), private_tmp (its /tmp is its own and goes away with it),
# private_devices (no disk or loop nodes) and seccomp default (swapon
# and reboot fail with EPERM, where an unfiltered root process gets
# ENOENT and EINVAL).  Services report on stdout (their /tmp may be
# private, so no output files under the test dir).  Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

command -v unshare >/dev/null || skip "no unshare"
unshare -n true 2>/dev/null || skip "kernel refuses network namespaces"
unshare -p -f --mount-proc true 2>/dev/null || skip "kernel refuses pid namespaces"
unshare -m true 2>/dev/null || skip "kernel refuses mount namespaces"
[ -x "$PY" ] || skip "no python3"
case $(uname -m) in
x86_64)	swapon_nr=167 reboot_nr=169;;
aarch64) swapon_nr=224 reboot_nr=142;;
*)	skip "no syscall numbers for $(uname -m)";;
esac

tag=sysg-privtmp-$$
cat > "$T/sc.py" <<P
import ctypes, errno
libc = ctypes.CDLL(None, use_errno=True)
def call(nr, *args):
    ctypes.set_errno(0)
    r = libc.syscall(nr, *args)
    return "ok" if r == 0 else errno.errorcode.get(ctypes.get_errno(), "?")
# a file that does not exist; reboot with a bad magic: harmless unfiltered
print("swapon", call($swapon_nr, b"/nonexistent-sysg-swap", 0))
print("reboot", call($reboot_nr, 0, 0, 0, 0))
print("done", flush=True)
P
write_conf <<Y
version: 1
services:
  net:
    command: >-
      sh -c 'ip -o link | cut -d: -f2,3 | tr -d " "; echo done; exec sleep 1501'
    isolation: {network: true}
  pidns:
    command: >-
      echo "pid \$\$"; ls /proc | grep -c '^[0-9]'; echo done; exec sleep 1502
    isolation: {pid: true}
    # pid 1 of a namespace ignores a SIGTERM it has no handler for
    stop_timeout: 1s
  ptmp:
    command: >-
      echo hello > /tmp/$tag; ls -A /tmp; echo done; exec sleep 1503
    isolation: {private_tmp: true}
  pdev:
    command: >-
      ls /dev; echo done; exec sleep 1504
    isolation: {private_devices: true}
  filtered:
    command: >-
      $PY $T/sc.py
    isolation: {seccomp: default}
  unfiltered:
    command: >-
      $PY $T/sc.py
Y
start_sys >out 2>&1 || fail "start -d: $(cat out)"
L=$SYSG_STATE_DIR/logs
for u in net pidns ptmp pdev filtered unfiltered; do
	wait_for 10 has_line "$L/$u.stdout.log" '^done'
done
suplog | grep -qi "refused by the kernel" &&
    skip "a namespace was refused: $(suplog | grep -i refused | head -1)"

# network: only lo, and it is up
note "net: $(tr '\n' ' ' < "$L/net.stdout.log")"
[ "$(grep -v '^done' "$L/net.stdout.log" | cut -d: -f1)" = lo ] ||
    fail "network: interfaces: $(cat "$L/net.stdout.log")"
grep '^lo:' "$L/net.stdout.log" | grep -q 'UP' || fail "network: lo is not up"
p=$(unit_pid net)
[ "$(readlink /proc/$p/ns/net)" != "$(readlink /proc/$$/ns/net)" ] ||
    fail "network: same netns as the host"
[ "$(tr -s ' ' < /proc/net/dev | grep -c :)" -ge 1 ] || fail "host netns"

# pid: the service is pid 1 inside and sees only its own processes
note "pidns: $(tr '\n' ' ' < "$L/pidns.stdout.log")"
grep -qx "pid 1" "$L/pidns.stdout.log" ||
    fail "pid namespace: $(cat "$L/pidns.stdout.log")"
n=$(sed -n 2p "$L/pidns.stdout.log")
[ "$n" -le 3 ] || fail "pid namespace: $n pids visible in /proc"
p=$(unit_pid pidns)
[ "$(status_field $p NSpid)" = "$p	1" ] ||
    fail "NSpid of $p: $(status_field $p NSpid)"
[ -d /proc/$$ ] && [ -d /proc/$(daemon_pid) ] || fail "host /proc was replaced"

# private_tmp: the file is in the service's /tmp only
p=$(unit_pid ptmp)
grep -qx "$tag" "$L/ptmp.stdout.log" || fail "ptmp: $(cat "$L/ptmp.stdout.log")"
[ "$(grep -vc -e '^done' -e "^$tag\$" "$L/ptmp.stdout.log")" = 0 ] ||
    fail "private /tmp not empty at start: $(cat "$L/ptmp.stdout.log")"
[ -e "/tmp/$tag" ] && fail "the private /tmp file is visible on the host"
[ "$(cat /proc/$p/root/tmp/$tag)" = hello ] ||
    fail "the file is not in the service's own /tmp"
"$SYSG" --sys stop -s ptmp >out 2>&1 || fail "stop -s ptmp: $(cat out)"
gone $p || fail "ptmp survived stop"
[ -e "/tmp/$tag" ] && fail "the private /tmp file appeared after stop"

# private_devices: a minimal /dev
note "pdev: $(tr '\n' ' ' < "$L/pdev.stdout.log")"
for d in null zero full random urandom tty; do
	grep -qx $d "$L/pdev.stdout.log" || fail "private /dev lacks $d"
done
bad=$(grep -E '^(sd|vd|xvd|hd|nvme|loop|mmcblk|dm-|md|sr|mem$|kmem$|kmsg$|port$)' \
    "$L/pdev.stdout.log" | tr '\n' ' ')
[ -z "$bad" ] || fail "private /dev has: $bad"
[ -e /dev/null ] && [ -c /dev/null ] || fail "host /dev/null damaged"

# seccomp default
note "filtered: $(tr '\n' ' ' < "$L/filtered.stdout.log")"
note "unfiltered: $(tr '\n' ' ' < "$L/unfiltered.stdout.log")"
grep -qx "swapon EPERM" "$L/filtered.stdout.log" || fail "seccomp: swapon not EPERM"
grep -qx "reboot EPERM" "$L/filtered.stdout.log" || fail "seccomp: reboot not EPERM"
grep -qx "swapon ENOENT" "$L/unfiltered.stdout.log" ||
    fail "unfiltered swapon: $(cat "$L/unfiltered.stdout.log")"
grep -qx "reboot EINVAL" "$L/unfiltered.stdout.log" ||
    fail "unfiltered reboot: $(cat "$L/unfiltered.stdout.log")"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
