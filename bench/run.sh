#!/bin/sh
# make bench: build the floor and the service program, then run the
# driver (bench/bench.py) on ./sysg and the floor.  Knobs go through
# BENCH_ARGS, e.g.  make bench BENCH_ARGS="--reps 1 --idle-secs 10"
# or  sh bench/run.sh --scenarios restart  (see bench/bench.py --help).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
out=${BENCH_BUILD:-$top/build/bench}
cc=${CC:-cc}
flags="-O2 -g -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror"
mkdir -p "$out"
$cc $flags -o "$out/floor" "$top/bench/floor.c"
# The service is static when it can be: its own start-up is then no
# bigger than it has to be, for the floor and for sysg alike.
$cc $flags -static -o "$out/svc" "$top/bench/svc.c" 2>/dev/null ||
    $cc $flags -o "$out/svc" "$top/bench/svc.c"
# shellcheck disable=SC2086
exec python3 "$top/bench/bench.py" --sysg "$top/sysg" --build "$out" \
    ${BENCH_ARGS:-} "$@"
