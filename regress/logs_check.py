#!/usr/bin/env python3
"""Checker for the numbered lines of regress/logs_gen.c (t_logs_*.sh).

  logs_check.py [--restate MAXBYTES] [--ts] [--tail] [--width W]
                DIR NAME STREAM COUNT

Reads DIR/NAME.STREAM.log.K (every K, highest first) and then the live
DIR/NAME.STREAM.log, and compares their concatenation with lines
1..COUNT as logs_gen writes them.

Default: the bytes must be exactly those lines: each line once, in
order, nothing else.

--restate MAXBYTES: a supervisor died with a chunk in the file that it
had not yet taken from the pipe, so the next supervisor wrote it again.
The file is then S[0:b1] [\\n] S[a1:b2] [\\n] S[a2:] ... with each
re-stated piece b-a <= MAXBYTES (a <= b), and a newline put in only
where the file had stopped mid-line.  Every byte of S is there, in
order; nothing else may differ.  Reports the junctions and how many
lines they tore (a junction mid-line breaks that line in two).
--junctions K: at most K such junctions (one per supervisor death).

--ts: every line starts with an RFC 3339 UTC timestamp with
milliseconds and one space ("2026-11-22T10:00:00.123Z "); it is checked
and stripped first.
--tail: the files hold only the end of the sequence (older ones were
deleted by rotation): they must be a whole-line suffix of 1..COUNT.
"""

import datetime
import os
import re
import sys

STAMP = re.compile(rb'^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3})Z ')


def gen_fast(count, width):
    # The filler only depends on n % 26: build the 26 variants once.
    fills = [bytes(0x61 + (r + i) % 26 for i in range(11, width - 1)) + b'\n'
             for r in range(26)]
    return b''.join(b'%010d ' % n + fills[n % 26]
                    for n in range(1, count + 1))


def files_of(d, name, stream):
    base = '%s.%s.log' % (name, stream)
    rot = []
    for f in os.listdir(d):
        if f.startswith(base + '.') and f[len(base) + 1:].isdigit():
            rot.append(int(f[len(base) + 1:]))
    paths = [os.path.join(d, '%s.%d' % (base, k)) for k in sorted(rot)[::-1]]
    live = os.path.join(d, base)
    if os.path.exists(live):
        paths.append(live)
    return paths


def die(msg):
    print('FAIL: ' + msg)
    sys.exit(1)


def ctx(buf, pos):
    lo = buf.rfind(b'\n', 0, pos) + 1
    hi = buf.find(b'\n', pos)
    hi = len(buf) if hi == -1 else hi
    return buf[lo:min(hi, lo + 160)]


def common(f, q, s, p):
    """Length of the common prefix of f[q:] and s[p:]."""
    n = 0
    blk = 1 << 20
    while blk > 0:
        while (q + n + blk <= len(f) and p + n + blk <= len(s) and
               f[q + n:q + n + blk] == s[p + n:p + n + blk]):
            n += blk
        blk //= 2
    return n


def strip_stamps(data):
    out = []
    prev = None
    for i, ln in enumerate(data.split(b'\n')):
        if ln == b'' and i == data.count(b'\n'):
            break
        m = STAMP.match(ln)
        if not m:
            die('line %d has no timestamp: %r' % (i + 1, ln[:80]))
        t = datetime.datetime.strptime(m.group(1).decode(),
                                       '%Y-%m-%dT%H:%M:%S.%f')
        if prev is not None and t < prev:
            die('line %d: timestamp goes back: %r' % (i + 1, ln[:80]))
        prev = t
        out.append(ln[m.end():])
    return b'\n'.join(out) + (b'\n' if data.endswith(b'\n') else b'')


def main():
    args = sys.argv[1:]
    restate = None
    maxj = None
    ts = tail = False
    width = 100
    while args and args[0].startswith('--'):
        o = args.pop(0)
        if o == '--restate':
            restate = int(args.pop(0))
        elif o == '--junctions':
            maxj = int(args.pop(0))
        elif o == '--ts':
            ts = True
        elif o == '--tail':
            tail = True
        elif o == '--width':
            width = int(args.pop(0))
        else:
            die('unknown option ' + o)
    d, name, stream, count = args[0], args[1], args[2], int(args[3])
    paths = files_of(d, name, stream)
    if not paths:
        die('no %s.%s.log* in %s' % (name, stream, d))
    f = b''.join(open(p, 'rb').read() for p in paths)
    if ts:
        f = strip_stamps(f)
    s = gen_fast(count, width)
    what = '%s.%s (%d files, %d bytes)' % (name, stream, len(paths), len(f))

    if tail:
        if not s.endswith(f) or (len(f) < len(s) and
                                 s[len(s) - len(f) - 1:][:1] != b'\n'):
            die('%s is not a whole-line suffix of 1..%d' % (what, count))
        print('# %s: lines %d..%d' % (what, count - f.count(b'\n') + 1,
                                      count))
        return
    if restate is None:
        if f == s:
            print('# %s: 1..%d exactly once, in order' % (what, count))
            return
        n = common(f, 0, s, 0)
        die('%s differs from 1..%d at byte %d: got line %r, expected %r' %
            (what, count, n, ctx(f, n), ctx(s, n)))

    q = p = 0		# positions in f and s
    junctions = torn = dup = 0
    while True:
        n = common(f, q, s, p)
        q += n
        p += n
        if q == len(f):
            break
        # A junction: find where the re-stated bytes start.
        cands = []
        if f[q - 1:q] != b'\n' and f[q:q + 1] == b'\n':
            cands.append(q + 1)
        cands.append(q)
        for c in cands:
            w = f[c:c + 2 * width + 16]
            a = s.find(w, max(0, p - restate), p + len(w))
            if a != -1 and a <= p:
                break
        else:
            die('%s: at byte %d (line %r) neither the sequence nor a '
                're-stated chunk of at most %d bytes follows; expected %r'
                % (what, q, ctx(f, q), restate, ctx(s, p)))
        junctions += 1
        dup += p - a
        q, p = c, a
    fills = [bytes(0x61 + (r + i) % 26 for i in range(11, width - 1))
             for r in range(26)]
    for ln in f.split(b'\n')[:-1]:
        if (len(ln) != width - 1 or not ln[:10].isdigit() or
                ln[10:11] != b' ' or ln[11:] != fills[int(ln[:10]) % 26]):
            torn += 1
    if maxj is not None and junctions > maxj:
        die('%s: %d junctions, at most %d expected' % (what, junctions, maxj))
    if p != len(s):
        die('%s: ends at byte %d of %d of 1..%d (last line %r)' %
            (what, p, len(s), count, ctx(s, p)))
    print('# %s: every byte of 1..%d in order; %d junction(s), %d byte(s) '
          're-stated, %d malformed line(s) (pieces of torn lines)' % (what, count, junctions, dup, torn))


main()
