# start -d with an invalid config exits 1 with the error on stderr and
# leaves no daemon; with a command that does not exist the daemon stays
# up, the unit is `failed` with a "No such file" reason, and start -d
# exits 1 naming it.
. "$TOP/regress/lib.sh"

no_daemon() {	# what
	[ -z "$(daemons)" ] || fail "$1: a daemon is left: $(daemons)"
	[ ! -S "$SYSG_STATE_DIR/control.sock" ] ||
	    fail "$1: control.sock left behind"
	"$SYSG" status >/dev/null 2>&1
	[ $? = 3 ] || fail "$1: status does not say no daemon"
}

# 1. invalid configs: an unknown key, a YAML syntax error, a missing
#    dependency
write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1081
    restart_polcy: always
Y
cp sysg.yaml bad1.yaml
printf 'version: 1\nservices:\n  svc: [unclosed\n' >bad2.yaml
cat >bad3.yaml <<'Y'
version: 1
services:
  svc:
    command: sleep 1081
    depends_on: [nothere]
Y
for f in bad1 bad2 bad3; do
	"$SYSG" start -c "$T/$f.yaml" -d >o 2>e; rc=$?
	note "$f: exit $rc: $(head -n 3 e)"
	[ $rc = 1 ] || fail "$f: start -d exit $rc, want 1"
	grep -q "$f.yaml" e || fail "$f: stderr does not name the file: $(cat e)"
	no_daemon "$f"
done
"$SYSG" start -c "$T/bad1.yaml" -d >o 2>e
grep -q "services.svc.restart_polcy" e ||
    fail "bad1: the error does not name the key: $(cat e)"

# 2. a command that does not exist (by path and by name)
write_conf <<Y
version: 1
services:
  good:
    command: sleep 1082
  missing:
    command: $T/no-such-program --flag
  missing2:
    command: sysg-no-such-program-$$
Y
t0=$(now_ms)
start_d >o 2>e; rc=$?
note "start -d: exit $rc after $(( $(now_ms) - t0 )) ms: $(cat o e)"
[ $rc = 1 ] || fail "start -d with a missing program: exit $rc, want 1"
grep -q "missing" e || fail "start -d stderr does not name the unit: $(cat e)"
grep -q "missing2" e || fail "start -d stderr does not name missing2: $(cat e)"
grep -q "good" e && fail "start -d blames good: $(cat e)"
dp=$(daemon_pid)
alive "$dp" || fail "the daemon is gone"
state_is good running || fail "good is $(unit_state good)"
for u in missing missing2; do
	state_is $u failed || fail "$u is $(unit_state $u), want failed"
	r=$(unit_field $u reason)
	note "$u reason: $r"
	echo "$r" | grep -q "No such file" || fail "$u reason: '$r'"
done
"$SYSG" status >/dev/null 2>&1; rc=$?
[ $rc = 2 ] || fail "status exit $rc with failed units, want 2 (failing)"
[ "$(daemons)" = "$dp" ] || fail "daemons: $(daemons)"
