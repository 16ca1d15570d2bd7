# --sys identities: a service as nobody with a supplementary group, one
# capability, no_new_privileges and seccomp gets exactly that (uid, gid,
# groups without 0, CapEff/CapPrm/CapAmb/CapBnd = the one capability,
# NoNewPrivs 1, Seccomp 2); a root service with an explicit capability
# list keeps only those; under --drop-privileges a service naming no
# user runs as nobody with nobody's groups; root services without a list
# (no user, or user root) keep root's full set.  Root only.
. "$TOP/regress/lib.sh"
. "$TOP/regress/syslib.sh"

nuid=$(id -u nobody)
ngid=$(id -g nobody)
sgid=$(getent group users | cut -d: -f3)
[ -n "$sgid" ] || skip "no group users"
outdir

write_conf <<Y
version: 1
services:
  ident:
    command: sh -c 'cat /proc/self/status > $T/o/ident.new; id >> $T/o/ident.new; mv $T/o/ident.new $T/o/ident; exec sleep 1101'
    user: nobody
    supplementary_groups: [users]
    capabilities: [CAP_NET_BIND_SERVICE]
    isolation:
      no_new_privileges: true
      seccomp: default
  rootcap:
    command: sh -c 'cat /proc/self/status > $T/o/rootcap.new; mv $T/o/rootcap.new $T/o/rootcap; exec sleep 1102'
    capabilities: [CAP_CHOWN]
  plainroot:
    command: sleep 1103
Y
start_sys >out 2>&1 || fail "start -d: $(cat out)"
wait_for 10 test -f "$T/o/ident"
wait_for 10 test -f "$T/o/rootcap"
f=$T/o/ident
note "ident: $(grep -E '^(Uid|Gid|Groups|Cap[A-Za-z]*|NoNewPrivs|Seccomp):' "$f" | tr '\t\n' ' ')"
[ "$(file_field "$f" Uid)" = "$nuid	$nuid	$nuid	$nuid" ] ||
    fail "ident Uid: $(file_field "$f" Uid)"
[ "$(file_field "$f" Gid)" = "$ngid	$ngid	$ngid	$ngid" ] ||
    fail "ident Gid: $(file_field "$f" Gid)"
want=$(sorted "$ngid $sgid")
got=$(sorted "$(file_field "$f" Groups)")
[ "$got" = "$want" ] || fail "ident Groups: '$got', want '$want'"
for c in CapEff CapPrm CapAmb CapBnd; do
	[ "$(file_field "$f" $c)" = 0000000000000400 ] ||
	    fail "ident $c: $(file_field "$f" $c), want 0x400"
done
[ "$(file_field "$f" NoNewPrivs)" = 1 ] || fail "ident NoNewPrivs"
[ "$(file_field "$f" Seccomp)" = 2 ] || fail "ident Seccomp"
grep -q "^uid=$nuid(nobody) gid=$ngid" "$f" || fail "ident id: $(tail -1 "$f")"
# the running process (sleep, after exec) keeps the same
p=$(unit_pid ident)
[ "$(cat /proc/$p/comm)" = sleep ] || fail "ident pid $p is not sleep"
[ "$(status_field $p CapEff)" = 0000000000000400 ] ||
    fail "ident after exec: CapEff $(status_field $p CapEff)"
[ "$(unit_field ident user)" = nobody ] ||
    fail "status user of ident: $(unit_field ident user)"

f=$T/o/rootcap
note "rootcap: $(grep -E '^(Uid|Cap)' "$f" | tr '\t\n' ' ')"
[ "$(file_field "$f" Uid)" = "0	0	0	0" ] || fail "rootcap Uid"
for c in CapBnd CapEff CapPrm; do
	[ "$(file_field "$f" $c)" = 0000000000000001 ] ||
	    fail "rootcap $c: $(file_field "$f" $c), want 0x1 (CAP_CHOWN)"
done
# a root service with no capabilities key keeps the full set
p=$(unit_pid plainroot)
[ "$(status_field $p Uid)" = "0	0	0	0" ] || fail "plainroot uid"
[ "$(status_field $p CapBnd)" = "$(status_field $$ CapBnd)" ] ||
    fail "plainroot CapBnd $(status_field $p CapBnd)"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"

# --drop-privileges: no user means nobody, with nobody's groups only
write_conf <<'Y'
version: 1
services:
  plain:
    command: sleep 1104
  userroot:
    command: sleep 1105
    user: root
Y
"$SYSG" --sys --drop-privileges start -c "$T/sysg.yaml" -d >out 2>&1 ||
    fail "start --drop-privileges: $(cat out)"
p=$(unit_pid plain)
[ -n "$p" ] || fail "no pid for plain"
note "plain: $(grep -E '^(Uid|Gid|Groups|CapEff|CapBnd):' /proc/$p/status | tr '\t\n' ' ')"
[ "$(status_field $p Uid)" = "$nuid	$nuid	$nuid	$nuid" ] ||
    fail "plain under --drop-privileges: Uid $(status_field $p Uid)"
[ "$(status_field $p Gid)" = "$ngid	$ngid	$ngid	$ngid" ] ||
    fail "plain Gid $(status_field $p Gid)"
want=$(sorted "$(id -G nobody)")
got=$(sorted "$(status_field $p Groups)")
[ "$got" = "$want" ] || fail "plain Groups '$got', want '$want'"
[ "$(status_field $p CapEff)" = 0000000000000000 ] ||
    fail "plain CapEff $(status_field $p CapEff)"
[ "$(status_field $p CapPrm)" = 0000000000000000 ] || fail "plain CapPrm"
[ "$(unit_field plain user)" = nobody ] ||
    fail "status user of plain: $(unit_field plain user)"
# a service naming user root keeps root's full set (the spawner must not have shrunk
# its own bounding set as if no root service were configured)
p=$(unit_pid userroot)
[ "$(status_field $p Uid)" = "0	0	0	0" ] || fail "userroot uid"
[ "$(status_field $p CapBnd)" = "$(status_field $$ CapBnd)" ] ||
    fail "user: root without capabilities: CapBnd $(status_field $p CapBnd), want $(status_field $$ CapBnd)"
[ "$(status_field $p CapEff)" = "$(status_field $$ CapEff)" ] ||
    fail "user: root without capabilities: CapEff $(status_field $p CapEff)"
"$SYSG" --sys stop >out 2>&1 || fail "stop: $(cat out)"
gone "$p" || fail "plain survived stop"
