/**
 * The libp2p host: TCP, Noise, yamux; the node's identity is its Ed25519 node key. A
 * connection gater admits only peers that `isAllowed` names at the moment of the handshake
 * (the current validator set's nodes and the configured observers); `enforceAllowlist()`
 * closes connections to peers that are no longer allowed, so the allowlist follows
 * validator-set changes without a restart. Every refusal is logged.
 *
 * Each side sends on a stream it opened and receives on the streams the peer opened (one
 * PeerLink each), over one protocol. Persistent peers are redialled with backoff.
 */
import './polyfill.js';
import { createLibp2p, type Libp2p } from 'libp2p';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { tcp } from '@libp2p/tcp';
import { ping } from '@libp2p/ping';
import { identify } from '@libp2p/identify';
import { generateKeyPairFromSeed } from '@libp2p/crypto/keys';
import { multiaddr } from '@multiformats/multiaddr';
import type { Connection, PeerId, Stream } from '@libp2p/interface';
import { PeerLink } from './peer-link.js';
import type { Logger } from '../ops/log.js';
import type { SovError } from '../../core/index.js';

export const WIRE_PROTOCOL = '/sov/wire/1';

export interface P2PLimits {
  maxFrameBytes: number;
  maxQueuedBytes: number;
  maxBatchBytes: number;
}

export const DEFAULT_P2P_LIMITS: P2PLimits = Object.freeze({
  maxFrameBytes: 8 * 1024 * 1024,
  maxQueuedBytes: 64 * 1024 * 1024,
  maxBatchBytes: 1024 * 1024,
});

export interface P2PHostOptions {
  /** The node key's 32-byte Ed25519 secret. */
  nodeSecretKey: Uint8Array;
  listen: string[];
  /** Consulted at every handshake, and by enforceAllowlist. */
  isAllowed(peerId: string): boolean;
  onFrame(peerId: string, frame: Uint8Array): void;
  onPeer?(peerId: string, connected: boolean): void;
  /** Called when a peer broke the protocol (the link is dropped already). */
  onMisbehaviour?(peerId: string, err: SovError): void;
  log: Logger;
  limits?: Partial<P2PLimits>;
  /** Redial interval for persistent peers, ms. */
  redialMs?: number;
}

export { peerIdOfNodeKey } from './peer-id.js';

export class P2PHost {
  private node: Libp2p | null = null;
  private readonly out = new Map<string, PeerLink>();
  /** The connection each outbound link runs on. */
  private readonly outConn = new Map<string, string>();
  private readonly inbound = new Set<PeerLink>();
  private readonly persistent = new Map<string, string>(); // peerId -> multiaddr
  private redialTimer: NodeJS.Timeout | null = null;
  private readonly limits: P2PLimits;
  private stopping = false;

  constructor(private readonly opts: P2PHostOptions) {
    this.limits = { ...DEFAULT_P2P_LIMITS, ...opts.limits };
  }

  get peerId(): string {
    if (!this.node) throw new Error('P2PHost not started');
    return this.node.peerId.toString();
  }

  async start(): Promise<void> {
    const privateKey = await generateKeyPairFromSeed('Ed25519', this.opts.nodeSecretKey);
    const deny = (peer: PeerId, direction: string): boolean => {
      const id = peer.toString();
      if (this.opts.isAllowed(id)) return false;
      this.opts.log.warn({ peer: id, direction }, 'refused a connection from a peer outside the allowlist');
      return true;
    };
    this.node = await createLibp2p({
      privateKey,
      addresses: { listen: this.opts.listen },
      transports: [tcp()],
      connectionEncrypters: [noise()],
      streamMuxers: [yamux()],
      services: { ping: ping(), identify: identify() },
      connectionGater: {
        denyDialMultiaddr: () => false,
        denyInboundEncryptedConnection: (p) => deny(p, 'inbound'),
        denyOutboundEncryptedConnection: (p) => deny(p, 'outbound'),
      },
    });
    await this.node.handle(WIRE_PROTOCOL, (stream, connection) => this.acceptInbound(stream, connection), { maxInboundStreams: 4 });
    this.node.addEventListener('peer:connect', (ev) => void this.openOutbound(ev.detail.toString()));
    this.node.addEventListener('peer:disconnect', (ev) => {
      const id = ev.detail.toString();
      this.out.get(id)?.abort(null);
      this.out.delete(id);
      this.opts.onPeer?.(id, false);
    });
    this.redialTimer = setInterval(() => void this.redial(), this.opts.redialMs ?? 2000);
    this.redialTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    if (this.redialTimer) clearInterval(this.redialTimer);
    for (const l of this.out.values()) l.abort(null);
    this.out.clear();
    await this.node?.stop();
    this.node = null;
  }

  multiaddrs(): string[] {
    return this.node?.getMultiaddrs().map((m) => m.toString()) ?? [];
  }

  /** Peers with an open outbound link. */
  peers(): string[] {
    return [...this.out.keys()];
  }

  /** Close every connection to `peerId`. */
  async disconnect(peerId: string): Promise<void> {
    if (!this.node) return;
    for (const c of this.node.getConnections()) if (c.remotePeer.toString() === peerId) await c.close().catch(() => c.abort(new Error('closed')));
  }

  /** Every peer with an open connection (linked or not). */
  connections(): string[] {
    return this.node?.getConnections().map((c) => c.remotePeer.toString()) ?? [];
  }

  /** The remote addresses of every connection to `peerId`. */
  addressesOf(peerId: string): string[] {
    return (this.node?.getConnections() ?? []).filter((c) => c.remotePeer.toString() === peerId).map((c) => c.remoteAddr.toString());
  }

  /** One line per connected peer: id, remote multiaddr, and who dialled (the first connection when there are several). */
  connectionInfo(): { id: string; address: string; direction: 'inbound' | 'outbound' }[] {
    const out = new Map<string, { id: string; address: string; direction: 'inbound' | 'outbound' }>();
    for (const c of this.node?.getConnections() ?? []) {
      const id = c.remotePeer.toString();
      if (!out.has(id)) out.set(id, { id, address: c.remoteAddr.toString(), direction: c.direction });
    }
    return [...out.values()];
  }

  /** Keep a connection to this peer (`/ip4/.../tcp/N/p2p/<peerId>`), redialling when lost. */
  addPersistentPeer(addr: string): void {
    const id = multiaddr(addr).getComponents().find((c) => c.name === 'p2p')?.value;
    if (!id) throw new Error(`persistent peer address ${addr} has no /p2p/ peer id`);
    this.persistent.set(id, addr);
  }

  async dial(addr: string): Promise<void> {
    if (!this.node) throw new Error('P2PHost not started');
    await this.node.dial(multiaddr(addr));
  }

  send(peerId: string, body: Uint8Array): boolean {
    return this.out.get(peerId)?.send(body) ?? false;
  }

  /** Send to every connected peer but `except`; returns how many were queued. */
  broadcast(body: Uint8Array, except?: string): number {
    let n = 0;
    for (const [id, link] of this.out) if (id !== except && link.send(body)) n++;
    return n;
  }

  /**
   * Send one frame on every connection to `peerId`: on the link where there is one, and on a
   * stream opened for it on each other connection (a second process running the same node key
   * is reached only that way). Returns how many connections it was sent on.
   */
  async sendOnEveryConnection(peerId: string, body: Uint8Array): Promise<number> {
    if (!this.node) return 0;
    let sent = 0;
    const linked = this.out.get(peerId);
    for (const conn of this.node.getConnections()) {
      if (conn.remotePeer.toString() !== peerId) continue;
      if (linked && this.outConn.get(peerId) === conn.id) {
        if (linked.send(body)) sent++;
        continue;
      }
      try {
        const stream = await conn.newStream(WIRE_PROTOCOL, { signal: AbortSignal.timeout(5000) });
        const link = new PeerLink(stream, { ...this.limits, onFrame: () => undefined, onClose: () => undefined });
        if (link.send(body)) sent++;
        await link.close();
      } catch (e) {
        this.opts.log.debug({ peer: peerId, err: (e as Error).message }, 'could not send on a second connection');
      }
    }
    return sent;
  }

  /** Close every connection to a peer that is no longer allowed. */
  async enforceAllowlist(): Promise<void> {
    if (!this.node) return;
    for (const conn of this.node.getConnections()) {
      const id = conn.remotePeer.toString();
      if (!this.opts.isAllowed(id)) {
        this.opts.log.warn({ peer: id }, 'closing a connection to a peer no longer allowed');
        await conn.close().catch(() => conn.abort(new Error('not allowed')));
      }
    }
  }

  private async redial(): Promise<void> {
    if (!this.node || this.stopping) return;
    for (const [id, addr] of this.persistent) {
      if (this.out.has(id) || !this.opts.isAllowed(id)) continue;
      try {
        await this.node.dial(multiaddr(addr), { signal: AbortSignal.timeout(5000) });
        // Still connected but the link was dropped: no new peer:connect will come.
        await this.openOutbound(id);
      } catch (e) {
        this.opts.log.debug({ peer: id, err: (e as Error).message }, 'redial failed');
      }
    }
  }

  private async openOutbound(id: string): Promise<void> {
    if (!this.node || this.out.has(id) || this.stopping) return;
    const conn = this.node.getConnections().find((c) => c.remotePeer.toString() === id);
    if (!conn) return;
    let stream: Stream;
    try {
      stream = await conn.newStream(WIRE_PROTOCOL, { signal: AbortSignal.timeout(10_000) });
    } catch (e) {
      this.opts.log.debug({ peer: id, err: (e as Error).message }, 'could not open the wire stream');
      return;
    }
    if (this.out.has(id)) {
      stream.abort(new Error('duplicate'));
      return;
    }
    const link = new PeerLink(stream, {
      ...this.limits,
      onFrame: () => undefined, // peers answer on their own stream
      onClose: (reason) => {
        if (this.out.get(id) === link) this.out.delete(id);
        if (reason) this.opts.log.info({ peer: id, code: reason.code }, 'outbound link dropped');
      },
    });
    this.out.set(id, link);
    this.outConn.set(id, conn.id);
    this.opts.onPeer?.(id, true);
  }

  private acceptInbound(stream: Stream, connection: Connection): void {
    const id = connection.remotePeer.toString();
    const link: PeerLink = new PeerLink(stream, {
      ...this.limits,
      onFrame: (frame) => this.opts.onFrame(id, frame),
      onClose: (reason) => {
        this.inbound.delete(link);
        if (reason) {
          this.opts.log.warn({ peer: id, code: reason.code, msg: reason.message }, 'inbound link dropped');
          this.opts.onMisbehaviour?.(id, reason);
        }
      },
    });
    this.inbound.add(link);
  }
}
