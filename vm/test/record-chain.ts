/**
 * Records a chain for the replay test (recorded-chain.test.ts): the genesis document's bytes
 * and 40 blocks of transactions (the seeded random workload of every module, plus governance
 * proposals that change a parameter, register an institution and a currency, and add and
 * re-weight a validator), with what executing them gave: each block's state root (the state
 * layer's sparse Merkle tree), results root, receipts' bytes and validator updates. Run only
 * on purpose, when the chain's bytes are meant to change:
 *   npm run build && node dist/vm/test/record-chain.js
 * (it writes vm/test/vectors/recorded-chain.json).
 */
import { writeFileSync } from 'node:fs';
import { concatBytes, encode, generateKeyPair, sha256, toHex, type Tx } from '../../core/index.js';
import { MemoryKV, StateTree } from '../../state/index.js';
import { ActionKind, CurrencyKind, gov, GenesisSchema, makeAction, MODULE_DEFS, Role, type BlockResult } from '../index.js';
import { repoPath } from '../../test/index.js';
import { addr, Chain, genesisDoc, K, T0, TIER1 } from './harness.js';
import { Workload } from './scenario.js';

export interface RecordedBlock {
  height: number;
  time: number;
  proposer: string;
  txs: string[];
  expect: { stateRoot: string; resultsRoot: string; receipts: string; rejected: string[]; validatorUpdates: string[] };
}

export interface RecordedChain {
  /** The modules the chain ran (its registry): a replay runs exactly these. */
  modules: string[];
  note: string;
  genesis: string;
  genesisStateRoot: string;
  blocks: RecordedBlock[];
}

async function main(): Promise<void> {
  const doc = genesisDoc();
  const c = await Chain.create(doc);
  const tree = await StateTree.open(new MemoryKV());
  const genesisRoot = await tree.commit(c.state.entries().map(([key, value]) => ({ key, value })));
  const w = new Workload(424242, c);
  const blocks: RecordedBlock[] = [];
  const nv = generateKeyPair();
  const nvNode = generateKeyPair();
  const proposals: (() => Promise<Tx>)[] = [
    async () => c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_PARAM, { name: 'max_payout_recipients', value: 500 }), reason: 'payroll' }, { nonce: (await c.account(K.cb))!.nonce }),
    async () => c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id: 1, reason: 'agreed' }, { nonce: (await c.account(K.reg))!.nonce }),
    async () => c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.ADD_VALIDATOR, { publicKey: nv.publicKey, power: 7, nodeKey: nvNode.publicKey }), reason: 'a ministry node' }, { nonce: (await c.account(K.cb))!.nonce }),
    async () => c.tx(K.ministry, 'gov', 'approve', gov.ApproveArgs, { id: 2, reason: 'yes' }, { nonce: (await c.account(K.ministry))!.nonce }),
    async () => c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.REGISTER_INSTITUTION, { name: 'Tax Office', keys: [generateKeyPair().publicKey], threshold: 1, roles: Role.AGENCY }), reason: 'tax' }, { nonce: (await c.account(K.cb))!.nonce }),
    async () => c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id: 3, reason: '' }, { nonce: (await c.account(K.reg))!.nonce }),
    async () => c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.REGISTER_CURRENCY, { code: 'GOLD', decimals: 3, issuer: addr(K.cb), kind: CurrencyKind.CBDC, tiers: [TIER1] }), reason: 'gold' }, { nonce: (await c.account(K.cb))!.nonce }),
    async () => c.tx(K.ministry, 'gov', 'approve', gov.ApproveArgs, { id: 4, reason: '' }, { nonce: (await c.account(K.ministry))!.nonce }),
    async () => c.tx(K.cb, 'gov', 'propose', gov.ProposeArgs, { action: makeAction(ActionKind.SET_VALIDATOR_POWER, { address: addr(nv), power: 3 }), reason: 'lower' }, { nonce: (await c.account(K.cb))!.nonce }),
    async () => c.tx(K.reg, 'gov', 'approve', gov.ApproveArgs, { id: 5, reason: '' }, { nonce: (await c.account(K.reg))!.nonce }),
  ];
  for (let b = 0; b < 40; b++) {
    // Every third block is governance's alone (the workload's signers track their own nonces).
    const txs = b % 3 === 1 && proposals.length > 0 ? [await proposals.shift()!()] : await w.block(14);
    const r: BlockResult = await c.block(txs, 4_000 + (b % 5) * 1_000);
    const root = await tree.commit(r.writes.map((x) => ({ key: x.key, value: x.value })));
    blocks.push({
      height: c.height,
      time: c.time,
      proposer: toHex(addr(K.vals[0]!)),
      txs: txs.map((t) => toHex(t.bytes)),
      expect: {
        stateRoot: toHex(root),
        resultsRoot: toHex(r.resultsRoot),
        receipts: toHex(sha256(concatBytes(...r.receiptBytes))),
        rejected: r.rejected.map((x) => `${x.index}:${x.code}`),
        validatorUpdates: r.validatorUpdates.map((u) => `${toHex(u.publicKey)}:${u.power}`),
      },
    });
  }
  if (proposals.length > 0) throw new Error('not every proposal was recorded');
  const out: RecordedChain = {
    modules: Object.keys(MODULE_DEFS),
    note: 'written by vm/test/record-chain.ts before the module-folder reshape; replayed by recorded-chain.test.ts',
    genesis: toHex(encode(GenesisSchema, doc)),
    genesisStateRoot: toHex(genesisRoot),
    blocks,
  };
  writeFileSync(repoPath('vm/test/vectors/recorded-chain.json'), JSON.stringify(out, null, 1) + '\n');
  console.log(`wrote vm/test/vectors/recorded-chain.json: ${blocks.length} blocks, ${blocks.reduce((n, b) => n + b.txs.length, 0)} transactions, genesis time ${T0}`);
}

await main();
