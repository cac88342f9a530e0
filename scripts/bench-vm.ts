/**
 * bench:vm: the ledger's transfers executed and committed per second on one core, beside
 * ERC-20 transfers on @ethereumjs/vm, in the same run, same count.
 *
 * Ours: a MemoryState with the standard institutions and a CBDC, plus `--accounts` customer
 * accounts (default 1,000,000; loaded as records, as a snapshot import would, the first
 * `--senders` with real keys). `--txs` signed money.transfer transactions (random sender ->
 * random account of the million, tier-2 policy so the holding, per-tx, daily and annual
 * limits are all checked and the usage windows written) are executed in blocks of `--block`
 * with executeBlock (signatures pre-verified: `signaturesVerified`, as the node's mempool
 * has verified them), and each block's write set applied to the state. Receipts, receipt
 * hashes and the resultsRoot are computed; the state root is not (the state layer's job).
 *
 * Theirs: a hand-written minimal ERC-20 runtime (transfer(address,uint256) with Solidity's
 * mapping layout keccak256(pad(holder) . pad(0)), balance check, SSTOREs, a Transfer LOG3,
 * returns true; ~140 bytes, no selector dispatch), installed with putCode; senders funded
 * with putStorage. Signed legacy txs whose sender is recovered once before timing (so no
 * ecrecover is timed), run with runTx({ skipBalance, skipNonce, skipHardForkValidation }),
 * in a MerkleStateManager with its caches (faster than without: --evm-no-caches compares);
 * the EVM side holds only the senders' balances, which favours it. Timed: runTx of every tx
 * and the state root after each block (with caches on, runTx already writes its trie at each
 * transaction's commit, so the root costs next to nothing).
 *
 * The sides take turns (`--rounds`, default 2: ours, EVM, ours, EVM), each turn an untimed
 * warm-up block then its share of the `--txs` timed transfers, so both see the same machine
 * load on a shared machine and each runs warm.
 * Options: --accounts N, --txs N (default 10,000), --block N (1,000), --senders N (2,000),
 * --rounds N (2);
 * --evm-no-caches runs the EVM's state manager without its caches;
 * --ours-only skips the EVM (for profiling). The LAST line is one JSON object of the figures;
 * ratio = our tps / its tps.
 */
import { createPrivateKey, createPublicKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { createVM, runTx } from '@ethereumjs/vm';
import { Common, Hardfork, Mainnet } from '@ethereumjs/common';
import { createLegacyTx, type LegacyTx } from '@ethereumjs/tx';
import { Caches, MerkleStateManager } from '@ethereumjs/statemanager';
import { Address, createAccount, createAddressFromPrivateKey, hexToBytes, setLengthLeft, bigIntToBytes, bytesToBigInt } from '@ethereumjs/util';
import { addressFromPublicKey, decode, encode, keyPairFromSecret, sha256, utf8, concatBytes, fromHex, Tx, txSignBytes, type KeyPair, type UnsignedTx } from '../core/index.js';
import {
  AccountSchema, applyGenesis, BalanceSchema, CurrencySchema, executeBlock, Keys, MemoryState, money, Role, CurrencyKind, type GenesisDoc, type TierPolicy,
} from '../vm/index.js';

function arg(name: string, def: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return def;
  const v = Number(process.argv[i + 1]);
  if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`--${name} needs a positive integer`);
  return v;
}

const ACCOUNTS = arg('accounts', 1_000_000);
const TXS = arg('txs', 10_000);
const BLOCK = arg('block', 1_000);
const SENDERS = Math.min(arg('senders', 2_000), ACCOUNTS);
/**
 * The sides take turns in ROUNDS rounds (ours, then the EVM, then ours again ...), each turn
 * opening with one untimed warm-up block, so machine load is shared fairly while each turn
 * runs warm (V8 may flush the code of functions idle for long, as ours are in the EVM's turn).
 */
const ROUNDS = arg('rounds', 2);
const TIMED_BLOCKS = Math.ceil(TXS / BLOCK);
if (TIMED_BLOCKS % ROUNDS !== 0) throw new Error('--txs / --block must be a multiple of --rounds');
const WARMUP = BLOCK * ROUNDS;
const CHAIN = 'sov-bench';
const T0 = 1_767_225_600_000;

/** A deterministic sfc32-style generator (the bench needs no crypto randomness). */
let seed = 0x2545f491;
const rnd = (n: number): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) % n;
};
const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const log = (s: string): void => console.log(s);

// ---------------------------------------------------------------- ours
/** Ed25519 through OpenSSL (RFC 8032 signing is deterministic: the same bytes as core's noble). */
interface FastKey {
  readonly publicKey: Uint8Array;
  readonly key: KeyObject;
}
function fastKey(seed: Uint8Array): FastKey {
  const key = createPrivateKey({ key: Buffer.concat([fromHex('302e020100300506032b657004220420'), seed]), format: 'der', type: 'pkcs8' });
  const spki = createPublicKey(key).export({ format: 'der', type: 'spki' });
  return { key, publicKey: new Uint8Array(spki.subarray(spki.length - 32)) };
}
function fastSignTx(u: UnsignedTx, k: FastKey): Tx {
  const signature = new Uint8Array(nodeSign(null, txSignBytes(u), k.key));
  return Tx.fromData({ ...u, signatures: [{ publicKey: k.publicKey, signature }] });
}

interface Side {
  readonly blocks: number;
  readonly runBlock: (i: number) => Promise<number>;
}

async function setupOurs(): Promise<Side> {
  const k = (s: string): KeyPair => keyPairFromSecret(sha256(utf8('bench/' + s)));
  const cb = k('cb');
  const bank = k('bank');
  const tier2: TierPolicy = { holdingLimit: 10n ** 12n, perTxLimit: 10n ** 9n, dailyLimit: 10n ** 11n, annualLimit: 10n ** 12n };
  const doc: GenesisDoc = {
    chainId: CHAIN, addressPrefix: 'sovb', genesisTime: T0, params: [],
    validators: [{ publicKey: k('val').publicKey, power: 10, nodeKey: k('val-node').publicKey }],
    institutions: [
      { name: 'Central Bank', keys: [cb.publicKey], threshold: 1, roles: Role.CENTRAL_BANK },
      { name: 'Bank', keys: [bank.publicKey], threshold: 1, roles: Role.COMMERCIAL_BANK },
    ],
    council: { members: [addressFromPublicKey(cb.publicKey)], threshold: 1 },
    currencies: [{ code: 'DCASH', decimals: 2, issuer: addressFromPublicKey(cb.publicKey), kind: CurrencyKind.CBDC, tiers: [tier2, tier2] }],
    accounts: [], balances: [], reserves: [], bankLimits: [],
  };
  const state = new MemoryState();
  state.apply((await applyGenesis(state, doc)).writes);

  let t = now();
  const senders: FastKey[] = [];
  const addrs: Uint8Array[] = new Array(ACCOUNTS);
  const bankAddr = addressFromPublicKey(bank.publicKey);
  const perSender = 10n ** 8n;
  const writes: { key: Uint8Array; value: Uint8Array }[] = [];
  for (let i = 0; i < ACCOUNTS; i++) {
    const pk = i < SENDERS ? (senders[i] = fastKey(sha256(utf8(`bench/sender-${i}`)))).publicKey : sha256(concatBytes(utf8('acct'), bigIntToBytes(BigInt(i + 1))));
    const a = addressFromPublicKey(pk);
    addrs[i] = a;
    writes.push({
      key: Keys.account(a),
      value: encode(AccountSchema, { keys: [pk], threshold: 1, nonce: 0, kind: 2, status: 0, tier: 2, bank: bankAddr, linkedRef: null, category: '' }),
    });
    writes.push({ key: Keys.balance(a, 'DCASH'), value: encode(BalanceSchema, { amount: i < SENDERS ? perSender : 1_000n }) });
    if (writes.length >= 100_000) state.apply(writes.splice(0));
  }
  state.apply(writes.splice(0));
  // Keep supply == sum of balances: the loaded balances are the currency's supply.
  const c = decode(CurrencySchema, state.get(Keys.currency('DCASH'))!);
  state.apply([{ key: Keys.currency('DCASH'), value: encode(CurrencySchema, { ...c, supply: perSender * BigInt(SENDERS) + 1_000n * BigInt(ACCOUNTS - SENDERS) }) }]);
  log(`ours: ${ACCOUNTS.toLocaleString('en-US')} accounts loaded in ${Math.round(now() - t)} ms (${state.size.toLocaleString('en-US')} keys)`);

  t = now();
  const nonces = new Array<number>(SENDERS).fill(0);
  const txs: Tx[] = [];
  for (let i = 0; i < WARMUP + TXS; i++) {
    const s = rnd(SENDERS);
    let to = rnd(ACCOUNTS);
    if (to === s) to = (to + 1) % ACCOUNTS;
    const args = encode(money.TransferArgs, { currency: 'DCASH', to: addrs[to]!, amount: BigInt(1 + rnd(10_000)), memo: 'invoice', reference: `r${i}` });
    txs.push(fastSignTx({ chainId: CHAIN, signer: addrs[s]!, nonce: nonces[s]!++, expiry: 50_000, body: { module: 'money', method: 'transfer', args } }, senders[s]!));
  }
  log(`ours: ${TXS.toLocaleString('en-US')} transfers signed in ${Math.round(now() - t)} ms (not timed)`);

  let h = 0;
  const blocks: Tx[][] = [];
  for (let b = 0; b < txs.length; b += BLOCK) blocks.push(txs.slice(b, b + BLOCK));
  /** Execute and commit block `i`; the time it took in ms. */
  const runBlock = async (i: number): Promise<number> => {
    h++;
    const t0 = now();
    const r = await executeBlock(state, { chainId: CHAIN, height: h, time: T0 + h * 1000, proposer: bankAddr }, blocks[i]!, { signaturesVerified: true });
    state.apply(r.writes);
    const ms = now() - t0;
    if (r.rejected.length > 0) throw new Error(`rejected: ${r.rejected[0]!.code} ${r.rejected[0]!.message}`);
    for (const rc of r.receipts) if (rc.status !== 0) throw new Error(`transfer failed: ${rc.code} ${rc.message}`);
    return ms;
  };
  return { blocks: blocks.length, runBlock };
}

// ---------------------------------------------------------------- EthereumJS
/** Assemble the minimal ERC-20 runtime; returns its bytes. */
function erc20Runtime(): Uint8Array {
  const topic = keccak_256(utf8('Transfer(address,address,uint256)'));
  const P1 = (v: number): number[] => [0x60, v];
  const prog = (revertAt: number): number[] => [
    ...P1(0x04), 0x35, // to
    ...P1(0x24), 0x35, // amount
    0x33, ...P1(0), 0x52, // mem[0] = caller
    ...P1(0), ...P1(0x20), 0x52, // mem[32] = 0 (mapping slot 0)
    ...P1(0x40), ...P1(0), 0x20, // slotFrom = keccak(mem[0..64])
    0x80, 0x54, // balFrom
    0x82, 0x81, 0x10, // balFrom < amount
    0x61, revertAt >> 8, revertAt & 0xff, 0x57, // jumpi revert
    0x82, 0x90, 0x03, // balFrom - amount
    0x90, 0x55, // sstore(slotFrom)
    0x81, ...P1(0), 0x52, // mem[0] = to
    ...P1(0x40), ...P1(0), 0x20, // slotTo
    0x80, 0x54, 0x82, 0x01, 0x90, 0x55, // balTo += amount
    0x80, ...P1(0), 0x52, // mem[0] = amount
    0x81, 0x33, 0x7f, ...topic, ...P1(0x20), ...P1(0), 0xa3, // LOG3(0, 32, Transfer, caller, to)
    ...P1(1), ...P1(0), 0x52, ...P1(0x20), ...P1(0), 0xf3, // return true
  ];
  const body = prog(0);
  const code = [...prog(body.length), 0x5b, ...P1(0), 0x80, 0xfd];
  return new Uint8Array(code);
}

const slotOf = (holder: Uint8Array): Uint8Array => keccak_256(concatBytes(setLengthLeft(holder, 32), new Uint8Array(32)));

async function setupEthereumJS(): Promise<Side & { check: () => Promise<void> }> {
  const common = new Common({ chain: Mainnet, hardfork: Hardfork.Cancun });
  // The default MerkleStateManager with its account/storage caches on (EthereumJS's
  // recommended setup for block execution): the trie is written when the root is asked for.
  const stateManager = new MerkleStateManager({ common, caches: process.argv.includes('--evm-no-caches') ? undefined : new Caches() });
  const vm = await createVM({ common, stateManager });
  const sm = vm.stateManager;
  const contract = new Address(hexToBytes('0x00000000000000000000000000000000000c0ffe'));
  await sm.putAccount(contract, createAccount({ nonce: 1n, balance: 0n }));
  await sm.putCode(contract, erc20Runtime());
  const keys: Uint8Array[] = [];
  const froms: Address[] = [];
  for (let i = 0; i < SENDERS; i++) {
    const sk = sha256(utf8(`evm-sender-${i}`));
    keys.push(sk);
    const a = createAddressFromPrivateKey(sk);
    froms.push(a);
    await sm.putAccount(a, createAccount({ nonce: 0n, balance: 10n ** 18n }));
    await sm.putStorage(contract, slotOf(a.bytes), setLengthLeft(bigIntToBytes(10n ** 8n), 32));
  }
  await sm.getStateRoot();
  const nonces = new Array<bigint>(SENDERS).fill(0n);
  const txs: LegacyTx[] = [];
  const t = now();
  for (let i = 0; i < WARMUP + TXS; i++) {
    const s = rnd(SENDERS);
    const to = sha256(utf8(`evm-to-${rnd(ACCOUNTS)}`)).subarray(0, 20);
    const data = concatBytes(hexToBytes('0xa9059cbb'), setLengthLeft(to, 32), setLengthLeft(bigIntToBytes(BigInt(1 + rnd(10_000))), 32));
    const tx = createLegacyTx({ nonce: nonces[s]!++, gasPrice: 10n ** 10n, gasLimit: 100_000n, to: contract, data }, { common }).sign(keys[s]!);
    tx.getSenderAddress(); // recover (and cache) the sender now, outside the timing
    txs.push(tx);
  }
  log(`ethereumjs: ${TXS.toLocaleString('en-US')} transfers signed and senders recovered in ${Math.round(now() - t)} ms (not timed)`);
  const blocks: LegacyTx[][] = [];
  for (let b = 0; b < txs.length; b += BLOCK) blocks.push(txs.slice(b, b + BLOCK));
  const runBlock = async (i: number): Promise<number> => {
    const t0 = now();
    let ok = 0;
    for (const tx of blocks[i]!) {
      const r = await runTx(vm, { tx, skipBalance: true, skipNonce: true, skipHardForkValidation: true });
      if (r.execResult.exceptionError === undefined) ok++;
    }
    await sm.getStateRoot();
    const ms = now() - t0;
    if (ok !== blocks[i]!.length) throw new Error(`EVM: only ${ok} of ${blocks[i]!.length} transfers succeeded`);
    return ms;
  };
  const check = async (): Promise<void> => {
    const bal = bytesToBigInt(await sm.getStorage(contract, slotOf(froms[0]!.bytes)));
    if (nonces[0]! > 0n && bal >= 10n ** 8n) throw new Error('EVM: a sender balance did not move');
  };
  return { blocks: blocks.length, runBlock, check };
}

log(`bench:vm on node ${process.version}: ${ACCOUNTS.toLocaleString('en-US')} accounts, ${TXS.toLocaleString('en-US')} transfers, blocks of ${BLOCK}, ${SENDERS} senders`);
const oursOnly = process.argv.includes('--ours-only');
const ours = await setupOurs();
const evm = oursOnly ? null : await setupEthereumJS();
const gc = (globalThis as { gc?: () => void }).gc ?? ((): void => {});
/** Run one turn of `side`: a warm-up block, then `n` timed blocks from `next`. */
async function turn(side: Side, next: number, n: number): Promise<number> {
  gc();
  await side.runBlock(next);
  let ms = 0;
  for (let i = next + 1; i <= next + n; i++) ms += await side.runBlock(i);
  return ms;
}
let oursMs = 0;
let evmMs = 0;
const perRound = TIMED_BLOCKS / ROUNDS;
for (let r = 0; r < ROUNDS; r++) {
  oursMs += await turn(ours, r * (perRound + 1), perRound);
  if (evm) evmMs += await turn(evm, r * (perRound + 1), perRound);
}
const tps = Math.round((TXS / oursMs) * 1000);
log(`ours: ${TXS.toLocaleString('en-US')} transfers executed and committed in ${Math.round(oursMs)} ms: ${tps.toLocaleString('en-US')} tx/s`);
if (evm === null) {
  console.log(JSON.stringify({ accounts: ACCOUNTS, txs: TXS, block: BLOCK, tps, oursMs: Math.round(oursMs) }));
} else {
  const ethereumjsTps = Math.round((TXS / evmMs) * 1000);
  log(`ethereumjs: ${TXS.toLocaleString('en-US')} ERC-20 transfers in ${Math.round(evmMs)} ms: ${ethereumjsTps.toLocaleString('en-US')} tx/s`);
  const ratio = Math.round((tps / ethereumjsTps) * 100) / 100;
  console.log(JSON.stringify({ accounts: ACCOUNTS, txs: TXS, block: BLOCK, tps, ethereumjsTps, ratio, oursMs: Math.round(oursMs), ethereumjsMs: Math.round(evmMs) }));
}
