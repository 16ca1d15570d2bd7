#!/bin/sh
# Test runner: unit tests (cmocka) and black-box scripts (regress/t_*.sh)
# against one or two build trees.
#   run.sh BUILD_DIR|- ASAN_BUILD_DIR|-
# Ends with one line "N passed, N failed, N skipped"; exit 1 on failure.
# T=pattern runs only the black-box tests whose name matches.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
pass=0 fail=0 skip=0
out=$top/regress/out
rm -rf "$out"; mkdir -p "$out"
cc -O2 -Wall -o "$out/subreap" "$top/regress/subreap.c" || exit 1

result() {	# name rc logfile
	case $2 in
	0) pass=$((pass + 1)); echo "PASS $1";;
	77) skip=$((skip + 1)); echo "SKIP $1: $(tail -n 1 "$3")";;
	*) fail=$((fail + 1)); echo "FAIL $1 (exit $2)"
	   sed 's/^/    | /' "$3" | tail -n 40;;
	esac
}

run_tree() {	# dir label
	d=$1 label=$2
	for t in "$d"/regress/unit/test_*; do
		[ -x "$t" ] || continue
		n="$label/unit/$(basename "$t")"
		log="$out/$(echo "$n" | tr / _).log"
		"$out/subreap" 300 "$t" >"$log" 2>&1
		result "$n" $? "$log"
	done
	for t in "$top"/regress/t_*.sh; do
		[ -f "$t" ] || continue
		case $(basename "$t") in *${T:-}*) ;; *) continue;; esac
		n="$label/$(basename "$t" .sh)"
		log="$out/$(echo "$n" | tr / _).log"
		asandir="$out/asan.$(basename "$t" .sh).$label"
		mkdir -p "$asandir"
		SYSG="$d/sysg" TOP="$top" SYSG_TEST_LABEL=$label \
		ASAN_OPTIONS="detect_leaks=0:log_path=$asandir/report" \
		UBSAN_OPTIONS="print_stacktrace=1:log_path=$asandir/report" \
		    "$out/subreap" 300 sh "$t" >"$log" 2>&1
		rc=$?
		if [ $rc = 0 ] || [ $rc = 77 ]; then
			if ls "$asandir"/report* >/dev/null 2>&1; then
				cat "$asandir"/report* >>"$log"
				rc=99
			fi
		fi
		result "$n" $rc "$log"
	done
}

[ "$1" != - ] && run_tree "$1" plain
[ "${2:--}" != - ] && run_tree "$2" asan
echo "$pass passed, $fail failed, $skip skipped"
[ $fail = 0 ]
