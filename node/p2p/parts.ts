/**
 * Block parts: a proposed block travels as parts of PART_BYTES, each with a Merkle path to
 * the parts root announced with the proposal, so a part can be checked on arrival and a
 * large block never has to fit one message. The assembler keeps at most a few blocks in
 * flight and gives back the whole block only when every part is present.
 */
import { equalBytes, merkleProof, merkleRoot, toHex, verifyMerkleProof, type Proposal } from '../../core/index.js';
import { PART_BYTES, MAX_PARTS } from './wire.js';

export interface Part {
  height: number;
  round: number;
  blockHash: Uint8Array;
  index: number;
  total: number;
  bytes: Uint8Array;
  proof: Uint8Array[];
}

export function splitBlock(proposal: Proposal, block: Uint8Array): { partsRoot: Uint8Array; parts: Part[] } {
  const chunks: Uint8Array[] = [];
  for (let o = 0; o < block.length || chunks.length === 0; o += PART_BYTES) chunks.push(block.subarray(o, o + PART_BYTES));
  const partsRoot = merkleRoot(chunks);
  const parts = chunks.map((bytes, index) => ({
    height: proposal.height, round: proposal.round, blockHash: proposal.blockHash, index, total: chunks.length, bytes, proof: merkleProof(chunks, index),
  }));
  return { partsRoot, parts };
}

interface InFlight {
  proposal: Proposal;
  total: number;
  partsRoot: Uint8Array;
  parts: (Uint8Array | undefined)[];
  have: number;
}

const MAX_IN_FLIGHT = 8;

export class PartAssembler {
  private readonly flights = new Map<string, InFlight>();

  private static key(height: number, round: number, blockHash: Uint8Array): string {
    return `${height}/${round}/${toHex(blockHash)}`;
  }

  /** Note a proposal; returns the block at once for a block of one part already held. */
  addProposal(proposal: Proposal, total: number, partsRoot: Uint8Array): Uint8Array | null {
    if (total < 1 || total > MAX_PARTS) return null;
    const k = PartAssembler.key(proposal.height, proposal.round, proposal.blockHash);
    if (!this.flights.has(k)) {
      if (this.flights.size >= MAX_IN_FLIGHT) this.flights.delete(this.flights.keys().next().value!);
      this.flights.set(k, { proposal, total, partsRoot, parts: new Array(total), have: 0 });
    }
    return null;
  }

  /** Add a part; returns the proposal and whole block when this part completes it. */
  addPart(p: Part): { proposal: Proposal; block: Uint8Array } | null {
    const f = this.flights.get(PartAssembler.key(p.height, p.round, p.blockHash));
    if (!f || p.total !== f.total || p.index >= f.total || f.parts[p.index]) return null;
    if (!verifyMerkleProof(f.partsRoot, p.bytes, p.index, f.total, p.proof)) return null;
    f.parts[p.index] = p.bytes;
    f.have++;
    if (f.have < f.total) return null;
    const size = f.parts.reduce((s, x) => s + x!.length, 0);
    const block = new Uint8Array(size);
    let o = 0;
    for (const x of f.parts) {
      block.set(x!, o);
      o += x!.length;
    }
    this.flights.delete(PartAssembler.key(p.height, p.round, p.blockHash));
    return equalBytes(f.proposal.blockHash, p.blockHash) ? { proposal: f.proposal, block } : null;
  }

  /** Forget everything below `height`. */
  prune(height: number): void {
    for (const [k, f] of this.flights) if (f.proposal.height < height) this.flights.delete(k);
  }
}
