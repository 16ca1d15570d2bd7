# --sys limits: rlimits (soft and hard), nice and CPU affinity are in
# force in the service process, for a root service and for one running
# as nobody.  Values stay within the daemon's hard limits (this root may
# lack CAP_SYS_RESOURCE).  Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

hn=$(ulimit -Hn)
[ "$hn" = unlimited ] || [ "$hn" -ge 2000 ] ||
    skip "hard nofile limit $hn < 2000"
ml=4194304
hl=$(ulimit -Hl)
[ "$hl" = unlimited ] || [ $((hl * 1024)) -ge $ml ] || ml=$((hl * 1024))

write_conf <<Y
version: 1
services:
  lim:
    command: sleep 1301
    limits:
      nofile: {soft: 1000, hard: 2000}
      nproc: 100
      core: 0
      memlock: $ml
      nice: 5
      cpu_affinity: [0]
  limnobody:
    command: sleep 1302
    user: nobody
    limits:
      nofile: 512
      nice: 7
      cpu_affinity: [0]
Y
start_sys >out 2>&1 || fail "start -d: $(cat out)"

chk() {	# PID NAME SOFT HARD
	l=$(grep "^$2 " /proc/$1/limits | sed "s/^$2 *//")
	set -- $1 "$2" $3 $4 $l
	[ "$5 $6" = "$3 $4" ] ||
	    fail "pid $1 $2: soft/hard '$5 $6', want '$3 $4'"
}
nice_of() { sed 's/.*) //' /proc/$1/stat | cut -d' ' -f17; }

p=$(unit_pid lim)
[ "$(cat /proc/$p/comm)" = sleep ] || fail "lim pid $p is not the program"
note "lim limits:"; sed 's/^/#   /' /proc/$p/limits
chk $p "Max open files" 1000 2000
chk $p "Max processes" 100 100
chk $p "Max core file size" 0 0
chk $p "Max locked memory" $ml $ml
[ "$(nice_of $p)" = 5 ] || fail "lim nice $(nice_of $p), want 5"
[ "$(ps -o ni= -p $p | tr -d ' ')" = 5 ] || fail "lim ps ni"
[ "$(status_field $p Cpus_allowed_list)" = 0 ] ||
    fail "lim Cpus_allowed_list $(status_field $p Cpus_allowed_list)"

p=$(unit_pid limnobody)
[ "$(status_field $p Uid | cut -f1)" = "$(id -u nobody)" ] ||
    fail "limnobody is not nobody"
chk $p "Max open files" 512 512
[ "$(nice_of $p)" = 7 ] || fail "limnobody nice $(nice_of $p), want 7"
[ "$(status_field $p Cpus_allowed_list)" = 0 ] ||
    fail "limnobody Cpus_allowed_list $(status_field $p Cpus_allowed_list)"
# what is not configured is inherited unchanged from the daemon
dp=$(daemon_pid)
for n in "Max stack size" "Max pending signals"; do
	a=$(grep "^$n " /proc/$dp/limits); b=$(grep "^$n " /proc/$p/limits)
	[ "$a" = "$b" ] || fail "$n changed: '$b' vs daemon '$a'"
done
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
