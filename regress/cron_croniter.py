#!/usr/bin/env python3
# Cross-check helper for regress/unit/test_cronexpr.c: an independent cron
# implementation (croniter) computes next fire times in UTC.
#
# stdin: lines "EXPR<TAB>START<TAB>COUNT" (START in epoch seconds).
# stdout: first line "OK" (or "SKIP <reason>" and nothing else), then one
# line per input line: COUNT successive fire times after START, separated
# by spaces, or "ERR <message>".
#
# croniter is called with day_or=True (classic cron: the day fields are
# ORed when both are restricted), the default.
import sys

try:
    import datetime
    from croniter import croniter
except Exception as e:  # ImportError and anything odd in the module
    print("SKIP python3-croniter not available: %s" % e)
    sys.exit(0)


def main():
    utc = datetime.timezone.utc
    out = ["OK"]
    for line in sys.stdin.read().splitlines():
        if not line.strip():
            continue
        expr, start, count = line.split("\t")
        try:
            base = datetime.datetime.fromtimestamp(int(start), tz=utc)
            it = croniter(expr, base, day_or=True)
            times = [str(int(it.get_next(float))) for _ in range(int(count))]
            out.append(" ".join(times))
        except Exception as e:
            out.append("ERR %s" % str(e).replace("\n", " "))
    sys.stdout.write("\n".join(out) + "\n")


main()
