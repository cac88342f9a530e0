#!/usr/bin/env python3
"""
A userspace link delay for kernels without sch_netem: holds every packet iptables sends to
NFQUEUE queue N for DELAY_MS +- JITTER_MS (uniform) and then accepts it. Speaks the
nfnetlink_queue protocol over a raw netlink socket (Python's standard library only), so it
needs no package. Runs inside the network namespace whose iptables rules queue the packets
(`ip netns exec NS python3 delayer.py N DELAY_MS JITTER_MS`); ends on SIGTERM. Queued
packets are only headers (copy mode meta); the kernel keeps the packet itself. If this process
dies, rules made with --queue-bypass let packets through undelayed.
"""
import heapq, random, select, signal, socket, struct, sys, time

NETLINK_NETFILTER = 12
NFNL_SUBSYS_QUEUE = 3
NFQNL_MSG_PACKET, NFQNL_MSG_VERDICT, NFQNL_MSG_CONFIG = 0, 1, 2
NFQA_CFG_CMD, NFQA_CFG_PARAMS, NFQA_CFG_QUEUE_MAXLEN, NFQA_CFG_MASK, NFQA_CFG_FLAGS = 1, 2, 3, 4, 5
NFQA_PACKET_HDR, NFQA_VERDICT_HDR = 1, 2
NFQNL_CFG_CMD_BIND = 1
NFQNL_COPY_META = 1
NFQA_CFG_F_FAIL_OPEN = 1
NLM_F_REQUEST = 1
NLMSG_ERROR = 2
NF_ACCEPT = 1

queue, delay_ms, jitter_ms = int(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3])
seq = 0


def attr(kind, payload):
    n = 4 + len(payload)
    return struct.pack('=HH', n, kind) + payload + b'\0' * ((4 - n % 4) % 4)


def msg(kind, payload):
    global seq
    seq += 1
    body = struct.pack('=BBH', socket.AF_UNSPEC, 0, socket.htons(queue)) + payload
    return struct.pack('=IHHII', 16 + len(body), (NFNL_SUBSYS_QUEUE << 8) | kind, NLM_F_REQUEST, seq, 0) + body


sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
try:
    sock.setsockopt(socket.SOL_SOCKET, 33, 32 * 1024 * 1024)  # SO_RCVBUFFORCE (root)
except OSError:
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 32 * 1024 * 1024)
sock.bind((0, 0))
sock.send(msg(NFQNL_MSG_CONFIG, attr(NFQA_CFG_CMD, struct.pack('!BBH', NFQNL_CFG_CMD_BIND, 0, 0))))
sock.send(msg(NFQNL_MSG_CONFIG, attr(NFQA_CFG_PARAMS, struct.pack('!IB', 0, NFQNL_COPY_META))))
sock.send(msg(NFQNL_MSG_CONFIG, attr(NFQA_CFG_QUEUE_MAXLEN, struct.pack('!I', 100000))))
sock.send(msg(NFQNL_MSG_CONFIG, attr(NFQA_CFG_MASK, struct.pack('!I', NFQA_CFG_F_FAIL_OPEN)) + attr(NFQA_CFG_FLAGS, struct.pack('!I', NFQA_CFG_F_FAIL_OPEN))))

running = True


def stop(*_):
    global running
    running = False


signal.signal(signal.SIGTERM, stop)
signal.signal(signal.SIGINT, stop)
held = []  # (due, packet id)
count = 0
print(f'delayer: queue {queue}, {delay_ms} ms +- {jitter_ms} ms', flush=True)
while running:
    now = time.monotonic()
    while held and held[0][0] <= now:
        _, pid = heapq.heappop(held)
        sock.send(msg(NFQNL_MSG_VERDICT, attr(NFQA_VERDICT_HDR, struct.pack('!II', NF_ACCEPT, pid))))
    timeout = max(0.0, held[0][0] - now) if held else 0.5
    try:
        r, _, _ = select.select([sock], [], [], timeout)
    except InterruptedError:
        continue
    if not r:
        continue
    try:
        data = sock.recv(1 << 20)
    except OSError as e:  # ENOBUFS: the kernel dropped messages (fail-open accepts what does not fit)
        print(f'delayer: {e}', flush=True)
        continue
    off = 0
    while off + 16 <= len(data):
        ln, kind, _, _, _ = struct.unpack_from('=IHHII', data, off)
        if ln < 16:
            break
        if kind == NLMSG_ERROR:
            code = struct.unpack_from('=i', data, off + 16)[0]
            if code != 0:
                print(f'delayer: netlink error {code}', flush=True)
                sys.exit(1)
        elif kind == (NFNL_SUBSYS_QUEUE << 8) | NFQNL_MSG_PACKET:
            a = off + 20
            while a + 4 <= off + ln:
                alen, akind = struct.unpack_from('=HH', data, a)
                if alen < 4:
                    break
                if (akind & 0x7fff) == NFQA_PACKET_HDR:
                    pid = struct.unpack_from('!I', data, a + 4)[0]
                    d = delay_ms + random.uniform(-jitter_ms, jitter_ms)
                    heapq.heappush(held, (time.monotonic() + max(0.0, d) / 1000, pid))
                    count += 1
                    break
                a += (alen + 3) & ~3
        off += (ln + 3) & ~3
# Release what is held before leaving.
for _, pid in held:
    sock.send(msg(NFQNL_MSG_VERDICT, attr(NFQA_VERDICT_HDR, struct.pack('!II', NF_ACCEPT, pid))))
print(f'delayer: {count} packets delayed', flush=True)
