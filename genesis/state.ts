/**
 * The initial state of a genesis document, computed the way the chain computes it: the vm
 * applies the state-machine part (vm.applyGenesis) over an empty state, and the state layer
 * takes the resulting writes as the first version of an empty in-memory tree. Its root is the
 * "initial state root" `sov genesis build` prints, and what a node's state must show before
 * block 1. A vm refusal becomes a problem at the path of the entry it names.
 */
import { isSovError, toHex } from '../core/index.js';
import { applyGenesis, MemoryState, type ValidatorUpdate, type WriteSet } from '../vm/index.js';
import { MemoryKV, StateTree } from '../state/index.js';
import { GenesisError, type Problem } from './errors.js';
import { toVmDoc, type JurisdictionGenesis } from './document.js';

export interface GenesisState {
  /** The state root after genesis (the state layer's Merkle root of the genesis writes). */
  readonly stateRoot: Uint8Array;
  /** The vm's hash of its own part of the document: hashOf("genesis", vm document bytes). */
  readonly vmGenesisHash: Uint8Array;
  readonly writes: WriteSet;
  readonly validators: readonly ValidatorUpdate[];
}

const VM_LISTS: Record<string, string> = { bankLimits: 'bank_limits' };

/** Turn a vm BAD_GENESIS message (`institutions[2]: CODE: text`) into a problem with our path. */
export function vmProblem(message: string): Problem {
  const m = /^([a-zA-Z]+)(\[\d+\])?: (.*)$/s.exec(message);
  if (m === null || !/^(validators|institutions|council|currencies|accounts|balances|reserves|bankLimits|params|document)$/.test(m[1]!)) {
    return { path: '', message: `the state machine refuses the document: ${message}` };
  }
  const list = VM_LISTS[m[1]!] ?? m[1]!;
  return { path: list === 'document' ? '' : `${list}${m[2] ?? ''}`, message: `the state machine refuses it: ${m[3]}` };
}

/** Apply `doc` through vm and state. Throws GenesisError (GENESIS_INVALID) if the vm refuses it. */
export async function genesisState(doc: JurisdictionGenesis): Promise<GenesisState> {
  let res;
  try {
    res = await applyGenesis(new MemoryState(), toVmDoc(doc));
  } catch (e) {
    if (!isSovError(e)) throw e;
    const p = vmProblem(e.message);
    throw new GenesisError('GENESIS_INVALID', `genesis: ${p.path ? `${p.path}: ` : ''}${p.message}`, [p]);
  }
  const tree = await StateTree.open(new MemoryKV());
  try {
    const prepared = await tree.prepare(res.writes.map((w) => ({ key: w.key, value: w.value })));
    return { stateRoot: prepared.rootHash, vmGenesisHash: res.genesisHash, writes: res.writes, validators: res.validators };
  } finally {
    await tree.close();
  }
}

export const hex0x = (b: Uint8Array): string => '0x' + toHex(b);
