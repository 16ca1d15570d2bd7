#!/bin/sh
# Configuration corpus, run against $SYSG:
#  - every regress/config/good/*.yaml validates, and `validate --print`
#    prints exactly regress/config/good/*.out;
#  - every regress/config/bad/*.yaml fails (exit 1, nothing on stdout)
#    with exactly the lines of regress/config/bad/*.err on stderr;
#  - generated hostile inputs (10 MB file, deep nesting, alias bombs,
#    too many services, long dependency chains and cycles) fail or pass
#    cleanly and quickly.
#
# Machine independence: sysg runs under `env -i PATH=/usr/bin:/bin`, so
# a unit's base environment is PATH plus HOME, USER, LOGNAME and SHELL of
# the account, which are replaced by @HOME@ @USER@ @LOGNAME@ @SHELL@; the
# physical path of the corpus directory is replaced by @DIR@.  Files
# named root-*.yaml need a root daemon and are skipped otherwise.
# UPDATE=1 rewrites the expected files (review the diff before commit).
set -u
: "${SYSG:?}" "${TOP:?}"

SYSG_STATE_DIR=$(mktemp -d) || exit 1
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$SYSG_STATE_DIR" "$tmp"' EXIT
fail=0 n=0 skipped=0
uid=$(id -u)
tmo=
command -v timeout >/dev/null 2>&1 && tmo="timeout 30"

run_sysg() {
	env -i PATH=/usr/bin:/bin SYSG_STATE_DIR="$SYSG_STATE_DIR" \
	    ASAN_OPTIONS="${ASAN_OPTIONS:-}" \
	    UBSAN_OPTIONS="${UBSAN_OPTIONS:-}" $tmo "$SYSG" "$@"
}

subst() {	# dir
	sed -e "s|$1|@DIR@|g" \
	    -e 's/"\(HOME\|USER\|LOGNAME\|SHELL\)=[^"]*"/"\1=@\1@"/'
}

bad() {
	echo "FAIL $*"
	fail=$((fail + 1))
}

compare() {	# expected actual label
	if [ "${UPDATE:-}" = 1 ]; then
		cp "$2" "$1"
		return
	fi
	if [ ! -f "$1" ]; then
		bad "$3: missing $(basename "$1")"
		sed 's/^/    /' "$2"
		return
	fi
	if ! diff -u "$1" "$2" >"$tmp/diff"; then
		bad "$3: output differs"
		cat "$tmp/diff"
	fi
}

root_only() {	# file
	case $(basename "$1") in
	root-*) [ "$uid" != 0 ] && { skipped=$((skipped + 1)); return 0; };;
	esac
	return 1
}

# ---------------------------------------------------------------------
# good

gdir=$(cd "$TOP/regress/config/good" && pwd -P)
for f in "$gdir"/*.yaml; do
	root_only "$f" && continue
	n=$((n + 1))
	name=$(basename "$f" .yaml)
	run_sysg validate -c "$f" --print >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc != 0 ] || [ -s "$tmp/err" ]; then
		bad "good/$name: exit $rc"
		cat "$tmp/err"
		continue
	fi
	subst "$gdir" <"$tmp/out" >"$tmp/out.s"
	compare "$gdir/$name.out" "$tmp/out.s" "good/$name"
	run_sysg validate -c "$f" >"$tmp/out" 2>&1 ||
	    bad "good/$name: validate without --print failed"
done

# Writing a default explicitly resolves to the same units.
run_sysg validate -c "$gdir/minimal.yaml" --print |
    grep -v '"file":' >"$tmp/a"
run_sysg validate -c "$gdir/defaults-explicit.yaml" --print |
    grep -v '"file":' >"$tmp/b"
diff -u "$tmp/a" "$tmp/b" >"$tmp/diff" ||
    { bad "explicit defaults differ from minimal"; cat "$tmp/diff"; }

# The summary lists start layers.
run_sysg validate -c "$gdir/deps.yaml" >"$tmp/out" 2>&1
for l in "layer 1: db cache metrics" "layer 2: api worker" "layer 3: web"; do
	grep -qx "$l" "$tmp/out" || bad "deps summary lacks \"$l\""
done

# ---------------------------------------------------------------------
# bad

bdir=$(cd "$TOP/regress/config/bad" && pwd -P)
for f in "$bdir"/*.yaml; do
	root_only "$f" && continue
	n=$((n + 1))
	name=$(basename "$f" .yaml)
	run_sysg validate -c "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	if [ $rc != 1 ]; then
		bad "bad/$name: exit $rc, expected 1"
		cat "$tmp/out" "$tmp/err"
		continue
	fi
	[ -s "$tmp/out" ] && bad "bad/$name: output on stdout"
	subst "$bdir" <"$tmp/err" >"$tmp/err.s"
	compare "$bdir/$name.err" "$tmp/err.s" "bad/$name"
done

# ---------------------------------------------------------------------
# generated

# expect_err FILE LINE...: exit 1 and exactly these stderr lines.
expect_err() {
	f=$1
	shift
	n=$((n + 1))
	: >"$tmp/want"
	for l in "$@"; do
		printf '%s\n' "$l" >>"$tmp/want"
	done
	run_sysg validate -c "$f" >"$tmp/out" 2>"$tmp/err"
	rc=$?
	[ $rc = 1 ] || bad "$(basename "$f"): exit $rc, expected 1"
	sed "s|$tmp|@TMP@|g" "$tmp/err" >"$tmp/err.s"
	diff -u "$tmp/want" "$tmp/err.s" >"$tmp/diff" ||
	    { bad "$(basename "$f"): stderr differs"; head -c 2000 "$tmp/diff"; }
}

# A 10 MB file.
awk 'BEGIN { print "version: \"1\""; print "services:";
	for (i = 0; i < 200000; i++)
		printf "  svc%d: {command: \"./run --with-a-long-argument\"}\n", i
}' >"$tmp/big.yaml"
expect_err "$tmp/big.yaml" \
    "@TMP@/big.yaml: the file is too large (the limit is 1048576 bytes)"

# 10000-deep flow nesting and 200-deep block nesting.
awk 'BEGIN { printf "version: \"1\"\nservices: ";
	for (i = 0; i < 10000; i++) printf "[";
	for (i = 0; i < 10000; i++) printf "]"; print "" }' >"$tmp/deep.yaml"
run_sysg validate -c "$tmp/deep.yaml" >/dev/null 2>"$tmp/err"
rc=$?
n=$((n + 1))
[ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q ':2:74: services\[0\].*: nesting is too deep (more than 64 levels)$' \
    "$tmp/err" || { bad "deep flow nesting (exit $rc)"; cat "$tmp/err"; }
awk 'BEGIN { print "version: \"1\""; printf "services:\n";
	for (i = 1; i <= 200; i++) { for (j = 0; j < i; j++) printf " ";
		print "k:" } }' >"$tmp/deepblock.yaml"
run_sysg validate -c "$tmp/deepblock.yaml" >/dev/null 2>"$tmp/err"
rc=$?
n=$((n + 1))
[ $rc = 1 ] && grep -q 'nesting is too deep' "$tmp/err" ||
    { bad "deep block nesting (exit $rc)"; cat "$tmp/err"; }

# An alias bomb ("billion laughs"): refused at the first anchor.
{
	echo 'version: "1"'
	echo 'a0: &a0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]'
	i=1
	while [ $i -le 9 ]; do
		p=$((i - 1))
		echo "a$i: &a$i [*a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p, *a$p]"
		i=$((i + 1))
	done
	echo 'services: {}'
} >"$tmp/laughs.yaml"
run_sysg validate -c "$tmp/laughs.yaml" >/dev/null 2>"$tmp/err"
rc=$?
n=$((n + 1))
[ $rc = 1 ] && grep -q '@\{0\}laughs.yaml:2:5: a0: anchors and aliases are not supported (&a0)$' \
    "$tmp/err" || { bad "alias bomb (exit $rc)"; head -5 "$tmp/err"; }

# Too many services.
awk 'BEGIN { print "version: \"1\""; print "services:";
	for (i = 0; i < 4097; i++) printf "  s%d: {command: x}\n", i
}' >"$tmp/many.yaml"
expect_err "$tmp/many.yaml" \
    "@TMP@/many.yaml:3:3: services: too many services (the limit is 4096)"

# A 4000-long dependency chain validates (no deep recursion, no
# quadratic blowup); closing it into a cycle reports the whole path once.
awk 'BEGIN { print "version: \"1\""; print "services:";
	print "  s0: {command: x}";
	for (i = 1; i < 4000; i++)
		printf "  s%d: {command: x, depends_on: [s%d]}\n", i, i - 1
}' >"$tmp/chain.yaml"
n=$((n + 1))
run_sysg validate -c "$tmp/chain.yaml" >"$tmp/out" 2>"$tmp/err" &&
    grep -qx 'layer 4000: s3999' "$tmp/out" ||
    { bad "long chain"; head -5 "$tmp/err"; }
sed 's/^  s0: {command: x}$/  s0: {command: x, depends_on: [s3999]}/' \
    "$tmp/chain.yaml" >"$tmp/ring.yaml"
run_sysg validate -c "$tmp/ring.yaml" >/dev/null 2>"$tmp/err"
rc=$?
n=$((n + 1))
[ $rc = 1 ] && [ "$(wc -l <"$tmp/err")" -eq 1 ] &&
    grep -q ':4:33: services.s1.depends_on\[0\]: dependency cycle: s0 -> s3999 -> s3998 -> s3997 -> s3996 -> s3995 -> s3994 -> s3993 -> \.\.\. -> s7 -> s6 -> s5 -> s4 -> s3 -> s2 -> s1 -> s0$' \
    "$tmp/err" || { bad "long cycle (exit $rc)"; head -c 500 "$tmp/err"; }

# Not a regular file, and a missing file.
expect_err /dev/null "/dev/null: not a regular file"
mkfifo "$tmp/fifo" 2>/dev/null &&
    expect_err "$tmp/fifo" "@TMP@/fifo: not a regular file"
expect_err "$tmp/missing.yaml" "@TMP@/missing.yaml: no such config file"

echo "$n cases, $fail failed, $skipped skipped"
[ $fail = 0 ]
