#!/usr/bin/env python3
"""sysg benchmark: sysg against a fork/exec floor (bench/floor.c), same run.

Scenarios (each for the floor and for sysg, alternating, --reps times):
  cold     start N services (--ns) until every one has exec'd; then the
           footprint (PSS) at --fp-ns; then stop-all until every one is gone
  restart  N=10, SIGKILL one service, time until its replacement has exec'd
           (--restart-samples kills, each victim up >= --restart-gap s)
  idle     N=100 idle services, context switches of every supervisor
           process over --idle-secs seconds
  log      one service writing 64-byte numbered lines in 4 KiB writes for
           --flood-secs s: MB/s into its log file, lines lost
  logs50   --flood-n services flooding at once: total MB/s, lines lost

Services are a copy of bench/svc under a random 10-character name, so they
are found by comm.  Times come from the kernel's proc connector (exec and
exit events carry CLOCK_MONOTONIC stamps) when available (root), else from
polling /proc.  The driver is a child subreaper: every process a run starts
stays its descendant and is killed by pid when the run ends.
"""

import argparse
import ctypes
import os
import select
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import time

PR_SET_CHILD_SUBREAPER = 36
NETLINK_CONNECTOR = 11
CN_IDX_PROC = 1
CN_VAL_PROC = 1
PROC_CN_MCAST_LISTEN = 1
PROC_EVENT_EXEC = 2
PROC_EVENT_EXIT = 0x80000000
NLMSG_DONE = 3

ME = os.getpid()
WORK = None


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def now():
    return time.monotonic_ns()


def rd(path, mode="r"):
    try:
        with open(path, mode) as f:
            return f.read()
    except OSError:
        return None


# ---------------------------------------------------------------- processes

def children(pid):
    out = []
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tids:
        s = rd(f"/proc/{pid}/task/{tid}/children")
        if s:
            out += [int(x) for x in s.split()]
    return out


def descendants():
    seen, todo = [], [ME]
    while todo:
        p = todo.pop()
        for c in children(p):
            if c not in seen:
                seen.append(c)
                todo.append(c)
    return seen


def comm(pid):
    s = rd(f"/proc/{pid}/comm")
    return s.strip() if s else None


def reap():
    while True:
        try:
            pid, _ = os.waitpid(-1, os.WNOHANG)
        except ChildProcessError:
            return
        if pid == 0:
            return


def kill_all(grace=5.0):
    """SIGKILL every descendant, by pid, once nothing exits by itself."""
    end = time.time() + grace
    while descendants() and time.time() < end:
        reap()
        time.sleep(0.05)
    for _ in range(50):
        ds = descendants()
        if not ds:
            break
        for p in ds:
            try:
                os.kill(p, signal.SIGKILL)
            except ProcessLookupError:
                pass
        time.sleep(0.02)
        reap()
    reap()


# ---------------------------------------------------------------- events

class Watch:
    """Exec/exit events from the proc connector, or /proc polling."""

    def __init__(self, name):
        self.name = name[:15]
        self.sock = None
        try:
            s = socket.socket(socket.AF_NETLINK, socket.SOCK_DGRAM,
                              NETLINK_CONNECTOR)
            try:
                s.setsockopt(socket.SOL_SOCKET, 33, 64 << 20)  # RCVBUFFORCE
            except OSError:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
            s.bind((os.getpid(), CN_IDX_PROC))
            op = struct.pack("=I", PROC_CN_MCAST_LISTEN)
            cn = struct.pack("=IIIIHH", CN_IDX_PROC, CN_VAL_PROC, 0, 0,
                             len(op), 0) + op
            nl = struct.pack("=IHHII", 16 + len(cn), NLMSG_DONE, 0, 0,
                             os.getpid()) + cn
            s.send(nl)
            s.setblocking(False)
            self.sock = s
        except OSError as e:
            log(f"proc connector unavailable ({e}): polling /proc")
        self.svc = {}       # live service pid -> exec time
        self.known = set()  # pids looked at when polling

    def events(self, timeout):
        """[(kind, pid, t_ns)] within timeout seconds."""
        out = []
        if self.sock is None:
            time.sleep(min(timeout, 0.001))
            t = now()
            pids = set(int(p) for p in os.listdir("/proc") if p.isdigit())
            for p in pids - self.known:
                if comm(p) == self.name:
                    out.append(("exec", p, t))
            for p in list(self.svc):
                st = rd(f"/proc/{p}/stat")
                if st is None or st.rsplit(")", 1)[1].split()[0] in "ZX":
                    out.append(("exit", p, t))
            self.known = pids
            return out
        r, _, _ = select.select([self.sock], [], [], timeout)
        while r:
            try:
                data = self.sock.recv(1 << 16)
            except BlockingIOError:
                break
            except OSError as e:  # ENOBUFS: events lost
                log(f"proc connector: {e}")
                break
            off = 0
            while off + 16 <= len(data):
                ln = struct.unpack_from("=I", data, off)[0]
                ev = off + 16 + 20
                what, _cpu, ts = struct.unpack_from("=IIQ", data, ev)
                pid, tgid = struct.unpack_from("=ii", data, ev + 16)
                if what == PROC_EVENT_EXEC and pid == tgid:
                    if comm(pid) == self.name:
                        out.append(("exec", pid, ts))
                elif what == PROC_EVENT_EXIT and pid == tgid:
                    if pid in self.svc:
                        out.append(("exit", pid, ts))
                off += (ln + 3) & ~3
                if ln == 0:
                    break
        return out

    def close(self):
        if self.sock is not None:
            self.sock.close()

    def feed(self, evs):
        for kind, pid, t in evs:
            if kind == "exec":
                self.svc[pid] = t
            else:
                self.svc.pop(pid, None)

    def drain(self):
        self.feed(self.events(0))

    def wait_execs(self, n, t0, timeout):
        """Time (ms) until n new services exist; None on timeout."""
        end, got, last = time.time() + timeout, 0, None
        self.first = None
        while got < n and time.time() < end:
            evs = self.events(0.05)
            self.feed(evs)
            for kind, pid, t in evs:
                if kind == "exec":
                    got += 1
                    last = t
                    if self.first is None:
                        self.first = (t - t0) / 1e6
        return (last - t0) / 1e6 if got >= n else None

    def wait_gone(self, pids, t0, timeout):
        pids, last = set(pids), None
        end = time.time() + timeout
        while pids and time.time() < end:
            evs = self.events(0.05)
            self.feed(evs)
            for kind, pid, t in evs:
                if kind == "exit" and pid in pids:
                    pids.discard(pid)
                    last = t
            for p in list(pids):  # gone before we looked
                if not os.path.exists(f"/proc/{p}"):
                    pids.discard(p)
                    last = last or now()
        return (last - t0) / 1e6 if not pids and last else None


# ---------------------------------------------------------------- supervisors

class Run:
    """One supervisor instance over a set of services."""

    def __init__(self, kind, a, services=None):
        self.kind, self.a = kind, a
        self.dir = tempfile.mkdtemp(prefix=f"{kind}.", dir=WORK)
        self.pid = None
        if services is not None:
            self.setup(services)

    def setup(self, services):
        kind, a = self.kind, self.a
        if kind == "floor":
            with open(f"{self.dir}/floor.tsv", "w") as f:
                for name, cmd, logged in services:
                    lf = f"{self.dir}/{name}.log" if logged else "-"
                    f.write(f"{name}\t{cmd}\t{lf}\n")
            self.argv = [a.floor, "-p", f"{self.dir}/pid",
                         f"{self.dir}/floor.tsv"]
        else:
            self.env = dict(os.environ, SYSG_STATE_DIR=f"{self.dir}/state")
            with open(f"{self.dir}/sysg.yaml", "w") as f:
                f.write('version: "1"\n')
                f.write('logs: { max_bytes: "4G", max_files: 1000 }\n')
                f.write("services:\n")
                for name, cmd, _ in services:
                    f.write(f'  {name}:\n    command: "{cmd}"\n'
                            "    restart_policy: always\n"
                            "    backoff: 0\n    max_backoff: 0\n")
            self.argv = [a.sysg, "start", "--config", f"{self.dir}/sysg.yaml",
                         "--daemonize"]

    def start(self):
        out = open(f"{self.dir}/out", "w")
        if self.kind == "floor":
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out,
                                         start_new_session=True)
            self.pid = self.proc.pid
        else:
            self.proc = subprocess.Popen(self.argv, stdin=subprocess.DEVNULL,
                                         stdout=out, stderr=out,
                                         env=self.env, cwd=self.dir,
                                         start_new_session=True)
        out.close()

    def settle(self, secs):
        """Let the start settle; a daemonizing start command has exited."""
        time.sleep(secs)
        if self.kind == "sysg":
            try:
                self.proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                log("sysg start has not returned after 60 s")

    def stop(self):
        """Issue the stop; returns when the stop command returned."""
        if self.kind == "floor":
            os.kill(self.pid, signal.SIGTERM)
            return
        subprocess.run([self.a.sysg, "stop"], env=self.env, cwd=self.dir,
                       stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=120)

    def logfiles(self, name):
        if self.kind == "floor":
            return [f"{self.dir}/{name}.log"]
        d = f"{self.dir}/state/logs"
        rot = sorted((f for f in os.listdir(d)
                      if f.startswith(f"{name}.stdout.log.")),
                     key=lambda f: -int(f.rsplit(".", 1)[1]))
        return [f"{d}/{f}" for f in rot] + [f"{d}/{name}.stdout.log"]

    def close(self):
        try:
            if self.kind == "sysg":
                self.stop()
            elif self.pid:
                os.kill(self.pid, signal.SIGTERM)
        except (OSError, subprocess.SubprocessError):
            pass
        kill_all()
        shutil.rmtree(self.dir, ignore_errors=True)


def sup_pids(svcname):
    """The supervisor's processes: our descendants that are not services."""
    return [p for p in descendants() if comm(p) not in (svcname[:15], None)]


def pss_kib(pids):
    tot = 0
    for p in pids:
        for line in (rd(f"/proc/{p}/smaps_rollup") or "").splitlines():
            if line.startswith("Pss:"):
                tot += int(line.split()[1])
    return tot


def ctxt(pid):
    tot = 0
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return 0
    for t in tids:
        for line in (rd(f"/proc/{pid}/task/{t}/status") or "").splitlines():
            if line.startswith(("voluntary_ctxt", "nonvoluntary_ctxt")):
                tot += int(line.split()[1])
    return tot


def role(pid):
    """"spawner" for "sysg: spawner", else the command line."""
    c = (rd(f"/proc/{pid}/cmdline", "rb") or b"").replace(b"\0", b" ")
    c = c.decode(errors="replace").strip()
    if c.startswith("sysg: "):
        return c.split()[1]
    return c[:40] or comm(pid)


# ---------------------------------------------------------------- scenarios

R = {}  # (metric, kind) -> [values]


def rec(metric, kind, v):
    if v is not None:
        R.setdefault((metric, kind), []).append(v)


def svcs(n, a, logged=False, args="idle"):
    return [(f"s{i:04d}", f"{a.svcbin} {args}", logged) for i in range(n)]


def scen_cold(a):
    for rep in range(a.reps):
        for n in a.ns:
            for kind in a.kinds:
                w = Watch(a.svcname)
                r = Run(kind, a, svcs(n, a))
                try:
                    t0 = now()
                    r.start()
                    ms = w.wait_execs(n, t0, a.timeout)
                    rec(f"cold start N={n} (ms)", kind, ms)
                    if ms is None:
                        log(f"{kind} N={n}: not all services started")
                        continue
                    r.settle(a.settle)
                    w.drain()
                    if n in a.fp_ns:
                        sp = sup_pids(a.svcname)
                        rec(f"PSS N={n} (MiB)", kind, pss_kib(sp) / 1024)
                    pids = list(w.svc)
                    t0 = now()
                    r.stop()
                    cmd = (now() - t0) / 1e6
                    ms = w.wait_gone(pids, t0, a.timeout)
                    rec(f"stop-all N={n} (ms)", kind, ms)
                    log(f"{kind} N={n} rep {rep}: start "
                        f"{R[(f'cold start N={n} (ms)', kind)][-1]:.1f} ms "
                        f"(first {w.first:.1f}), stop {fmt(ms)} ms "
                        f"(command {cmd:.1f} ms)")
                finally:
                    r.close()
                    w.close()


def scen_restart(a):
    for kind in a.kinds:
        w = Watch(a.svcname)
        r = Run(kind, a, svcs(10, a))
        try:
            r.start()
            if w.wait_execs(10, now(), a.timeout) is None:
                log(f"{kind}: restart: services did not start")
                continue
            xs = []
            for i in range(a.restart_samples):
                time.sleep(a.restart_gap)
                w.drain()
                victim = sorted(w.svc)[i % len(w.svc)]
                t0 = now()
                os.kill(victim, signal.SIGKILL)
                ms = w.wait_execs(1, t0, 10)
                if ms is None:
                    log(f"{kind}: no replacement for {victim}")
                    continue
                xs.append(ms)
            if xs:
                xs.sort()
                rec("restart median (ms)", kind, statistics.median(xs))
                rec("restart p95 (ms)", kind,
                    xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))])
                rec("restart max (ms)", kind, xs[-1])
            log(f"{kind}: restart samples {['%.2f' % x for x in xs]}")
        finally:
            r.close()
            w.close()


def scen_idle(a):
    for kind in a.kinds:
        w = Watch(a.svcname)
        r = Run(kind, a, svcs(100, a))
        try:
            r.start()
            if w.wait_execs(100, now(), a.timeout) is None:
                continue
            r.settle(2)
            sp = sup_pids(a.svcname)
            before = {p: ctxt(p) for p in sp}
            time.sleep(a.idle_secs)
            tot = 0
            for p in sp:
                d = ctxt(p) - before[p]
                tot += d
                log(f"{kind}: idle {a.idle_secs:g} s: {role(p)} (pid {p}): "
                    f"{d} wake-ups")
                if kind == "sysg":
                    rec(f"idle wake-ups: {role(p)}", kind, d)
            rec(f"idle wake-ups, 100 svcs, {a.idle_secs:g} s", kind, tot)
        finally:
            r.close()
            w.close()


def scen_log(a, n, label):
    for rep in range(a.log_reps):
        for kind in a.kinds:
            r = Run(kind, a)
            cf = f"{r.dir}/count."
            sv = [(f"f{i:02d}", f"{a.svcbin} flood {a.flood_secs:g} {cf}{i}",
                   True) for i in range(n)]
            r.setup(sv)
            try:
                r.start()
                end = time.time() + a.flood_secs + a.timeout
                while time.time() < end and not all(
                        os.path.exists(f"{cf}{i}") for i in range(n)):
                    time.sleep(0.1)
                counts = []
                for i in range(n):
                    c = (rd(f"{cf}{i}") or "").split()
                    counts.append([int(x) for x in c] if len(c) == 4 else None)
                if None in counts:
                    log(f"{kind}: {label}: a writer did not finish")
                    continue
                # the log stops growing: drained
                files, last = [], -1
                while time.time() < end:
                    files = [r.logfiles(nm) for nm, _, _ in sv]
                    sz = sum(os.path.getsize(f) for fs in files for f in fs
                             if os.path.exists(f))
                    if sz == last:
                        break
                    last = sz
                    time.sleep(0.3)
                mt = max(os.stat(f).st_mtime_ns for fs in files for f in fs
                         if os.path.exists(f))
                t0 = min(c[2] for c in counts)
                uniq = lost = 0
                for i, fs in enumerate(files):
                    out = subprocess.run([a.svcbin, "check", str(counts[i][0])]
                                         + [f for f in fs if os.path.exists(f)],
                                         capture_output=True, text=True).stdout
                    _lines, u, _dup, _bad, miss = map(int, out.split())
                    uniq += u
                    lost += miss
                secs = (mt - t0) / 1e9
                rec(f"{label} MB/s", kind, uniq * 64 / secs / 1e6)
                rec(f"{label} Mlines/s", kind, uniq / secs / 1e6)
                rec(f"{label} lines lost", kind, lost)
                log(f"{kind}: {label} rep {rep}: {uniq * 64 / secs / 1e6:.0f} MB/s, "
                    f"{uniq} lines, {lost} lost")
            finally:
                r.close()


# ---------------------------------------------------------------- report

def fmt(x):
    if x is None:
        return "-"
    if abs(x) >= 100:
        return f"{x:,.0f}"
    if abs(x) >= 10:
        return f"{x:.1f}"
    return f"{x:.2f}"


def cell(xs):
    if not xs:
        return "-"
    m = statistics.median(xs)
    if len(xs) == 1:
        return fmt(m)
    return f"{fmt(m)} [{fmt(min(xs))}, {fmt(max(xs))}]"


def report(a):
    metrics = []
    for (m, _k) in R:
        if m not in metrics:
            metrics.append(m)
    rows = [("metric", "floor", "sysg", "sysg/floor")]
    for m in metrics:
        f, s = R.get((m, "floor"), []), R.get((m, "sysg"), [])
        ratio = "-"
        if f and s and statistics.median(f) > 0:
            ratio = f"{statistics.median(s) / statistics.median(f):.2f}"
        rows.append((m, cell(f), cell(s), ratio))
    w = [max(len(r[i]) for r in rows) for i in range(4)]
    print()
    print(f"sysg bench, {os.cpu_count()} CPUs, kernel {os.uname().release}, "
          f"load {os.getloadavg()[0]:.2f}; median [min, max]")
    for i, r in enumerate(rows):
        print("| " + " | ".join(c.ljust(w[j]) for j, c in enumerate(r))
              + " |")
        if i == 0:
            print("|" + "|".join("-" * (x + 2) for x in w) + "|")


def main():
    global WORK
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--sysg", default=f"{top}/sysg")
    p.add_argument("--build", required=True, help="dir with floor and svc")
    p.add_argument("--scenarios", default="cold,restart,idle,log,logs50")
    p.add_argument("--kinds", default="floor,sysg")
    p.add_argument("--ns", default="10,100,1000")
    p.add_argument("--fp-ns", default="10,1000")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--restart-samples", type=int, default=20)
    p.add_argument("--restart-gap", type=float, default=1.2)
    p.add_argument("--idle-secs", type=float, default=30)
    p.add_argument("--flood-secs", type=float, default=5)
    p.add_argument("--flood-n", type=int, default=50)
    p.add_argument("--log-reps", type=int, default=2)
    p.add_argument("--settle", type=float, default=1.0)
    p.add_argument("--timeout", type=float, default=60)
    a = p.parse_args()
    a.ns = [int(x) for x in a.ns.split(",")]
    a.fp_ns = [int(x) for x in a.fp_ns.split(",")]
    a.kinds = a.kinds.split(",")
    a.floor = f"{a.build}/floor"
    a.sysg = os.path.abspath(a.sysg)

    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        sys.exit("prctl(PR_SET_CHILD_SUBREAPER) failed")
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, lambda s, f: sys.exit(128 + s))
    WORK = tempfile.mkdtemp(prefix="sysg-bench.")
    try:
        import resource
        _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
        a.svcname = "sb" + os.urandom(4).hex()
        a.svcbin = f"{WORK}/{a.svcname}"
        shutil.copy(f"{a.build}/svc", a.svcbin)
        sc = a.scenarios.split(",")
        if "cold" in sc:
            scen_cold(a)
        if "restart" in sc:
            scen_restart(a)
        if "idle" in sc:
            scen_idle(a)
        if "log" in sc:
            scen_log(a, 1, "log 1 svc")
        if "logs50" in sc:
            scen_log(a, a.flood_n, f"log {a.flood_n} svcs")
    finally:
        kill_all(grace=0)
        shutil.rmtree(WORK, ignore_errors=True)
        report(a)


if __name__ == "__main__":
    main()
