# Hostile clients on control.sock: 1 MiB of random bytes, a truncated
# frame, a wrong protocol version, an oversized length, a request before
# the hello, garbage JSON after it.  Each gets an error reply or is
# disconnected promptly (never a hang), and the daemon carries on: the
# same control process keeps serving `status`.
. "$TOP/regress/lib.sh"

command -v python3 >/dev/null || skip "no python3"
write_conf <<'Y'
version: 1
services:
  svc:
    command: sleep 1051
Y
start_d >out 2>&1 || { cat out; fail "start -d: $(cat out)"; }
ctl=$(role_pid control) || fail "no control process"

cat >ctl.py <<'PY'
import os, re, socket, struct, sys

hdr = open(sys.argv[1]).read()
body = re.search(r'enum imsg_type \{(.*?)\};', hdr, re.S).group(1)
body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
T, n = {}, -1
for item in body.split(','):
    item = item.strip()
    if not item:
        continue
    name, _, val = item.partition('=')
    n = int(val.strip(), 0) if val.strip() else n + 1
    T[name.strip()] = n
HELLO, REQUEST, END = T['IMSG_CTL_HELLO'], T['IMSG_CTL_REQUEST'], T['IMSG_CTL_END']
VERSION = int(re.search(r'#define\s+SYSG_PROTO_VERSION\s+(\d+)', hdr).group(1))
MAXP = 64 * 1024
sock, case = sys.argv[2], sys.argv[3]

def frame(t, payload=b'', length=None):
    ln = len(payload) if length is None else length
    return struct.pack('<5I', t, ln, 0, os.getpid(), 0) + payload

def conn():
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(5)
    s.connect(sock)
    return s

def recv_exact(s, n):
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b

def read_msg(s):
    """(type, payload), or None on EOF/reset; a timeout is a failure."""
    try:
        h = recv_exact(s, 20)
        if h is None:
            return None
        t, ln, _, _, _ = struct.unpack('<5I', h)
        p = recv_exact(s, ln)
        if p is None:
            sys.exit('EOF inside a reply')
        return t, p
    except (ConnectionResetError, BrokenPipeError):
        return None
    except socket.timeout:
        sys.exit('%s: no answer within 5 s (hang)' % case)

def expect_end(s, what):
    m = read_msg(s)
    if m is None:
        sys.exit('%s: EOF, expected an error reply' % what)
    t, p = m
    if t != END or len(p) != 1028:
        sys.exit('%s: reply type %d len %d, expected END' % (what, t, len(p)))
    code = struct.unpack('<i', p[:4])[0]
    text = p[4:].split(b'\0')[0].decode(errors='replace')
    if code == 0:
        sys.exit('%s: END with exit code 0 (%s)' % (what, text))
    print('# %s: error %d: %s' % (what, code, text))
    return text

def expect_eof(s, what):
    while True:
        m = read_msg(s)
        if m is None:
            return
        if m[0] != END:
            sys.exit('%s: unexpected message type %d' % (what, m[0]))

def hello(s, version=VERSION):
    s.sendall(frame(HELLO, struct.pack('<I', version)))

if case == 'random':
    s = conn()
    data = os.urandom(1 << 20)
    try:
        s.sendall(data)
    except (BrokenPipeError, ConnectionResetError):
        pass
    except socket.timeout:
        sys.exit('random: the daemon stopped reading without closing')
    expect_eof(s, 'random')
elif case == 'truncated':
    s = conn()
    s.sendall(frame(HELLO, b'\0' * 4, length=100)[:24])
    s.close()
elif case == 'version':
    s = conn()
    hello(s, VERSION + 1)
    text = expect_end(s, 'version')
    if 'version' not in text:
        sys.exit('version: error text does not mention the version')
    expect_eof(s, 'version')
elif case == 'oversized':
    s = conn()
    s.sendall(frame(HELLO, length=MAXP + 1))
    expect_eof(s, 'oversized')
    s = conn()
    hello(s)
    t, p = read_msg(s)
    if t != HELLO:
        sys.exit('oversized: no hello back')
    s.sendall(frame(REQUEST, length=0xffffffff))
    expect_eof(s, 'oversized after hello')
elif case == 'nohello':
    s = conn()
    s.sendall(frame(REQUEST, b'{"cmd":"status"}'))
    expect_end(s, 'request before hello')
    expect_eof(s, 'request before hello')
elif case == 'json':
    s = conn()
    hello(s)
    m = read_msg(s)
    if m is None or m[0] != HELLO:
        sys.exit('json: no hello back')
    for bad in (b'{"cmd":', b'\xff\xfe garbage', b'[1,2,3]', b'{"cmd":42}',
                b'{"cmd":"no-such-command"}', b''):
        s.sendall(frame(REQUEST, bad))
        expect_end(s, 'request %r' % bad)
else:
    sys.exit('unknown case ' + case)
PY

for c in random truncated version oversized nohello json; do
	t0=$(now_ms)
	python3 ctl.py "$TOP/common/sysg.h" "$SYSG_STATE_DIR/control.sock" $c ||
	    fail "case $c"
	note "$c: $(( $(now_ms) - t0 )) ms"
	"$SYSG" status >st 2>&1 || fail "status after $c: exit $?: $(cat st)"
	[ "$(role_pid control)" = "$ctl" ] || fail "control restarted after $c"
	state_is svc running || fail "svc not running after $c"
done
# several at once, then a normal client
for i in 1 2 3 4; do python3 ctl.py "$TOP/common/sysg.h" \
    "$SYSG_STATE_DIR/control.sock" random & track $!; done
wait
"$SYSG" status >st 2>&1 || fail "status after parallel garbage: $(cat st)"
[ "$(role_pid control)" = "$ctl" ] || fail "control restarted"
