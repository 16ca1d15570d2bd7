#!/bin/sh
# Every examples/*.yaml validates.  system*.yaml name accounts and
# capabilities, so they need a root daemon: skipped unless root.
set -u
: "${SYSG:?}" "${TOP:?}"

SYSG_STATE_DIR=$(mktemp -d) || exit 1
export SYSG_STATE_DIR
trap 'rm -rf "$SYSG_STATE_DIR"' EXIT
fail=0 n=0 skipped=0
for f in "$TOP"/examples/*.yaml; do
	[ -f "$f" ] || continue
	case $(basename "$f") in
	system*)
		if [ "$(id -u)" != 0 ]; then
			skipped=$((skipped + 1))
			continue
		fi;;
	esac
	n=$((n + 1))
	if ! "$SYSG" validate -c "$f" >/dev/null 2>"$SYSG_STATE_DIR/err"; then
		echo "FAIL $(basename "$f")"
		cat "$SYSG_STATE_DIR/err"
		fail=$((fail + 1))
	fi
	if ! "$SYSG" validate -c "$f" --print >/dev/null 2>&1; then
		echo "FAIL $(basename "$f") --print"
		fail=$((fail + 1))
	fi
done
if [ $n = 0 ]; then
	echo "no example could be checked"
	exit 77
fi
echo "$n examples, $fail failed, $skipped skipped"
[ $fail = 0 ]
