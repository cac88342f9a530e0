/**
 * Public finance in the SDK: open a program's report or a beneficiary row, as the node's
 * prog_getReport and prog_getRow return them, offline: the bundle's commit certificate against
 * a trusted validator set, each record's state proof against the certified header, and the
 * decoded answer checked against what the proven bytes say. What it returns is what the
 * ledger holds at that height, whatever the node that served it.
 */
import { decode, encodeAddress, fromHex, type Infer, type KeyPair, type ValidatorSet } from '../../core/index.js';
import { cred, escrowAddress, prog, BalanceSchema, type Registry } from '../../vm/index.js';
import { BundleError, openCredProofBundle, type CredProofBundle } from '../cred-proofs.js';
import { recordKey, recordToJson } from '../records.js';
import type { ProgReportView, ProgRowView } from '../prog-query.js';
import type { CredentialPackage } from './credentials.js';
import { CredError } from './cred/errors.js';
import { presentSdJwtVc } from './cred/sd-jwt.js';

export interface ProgVerifyContext {
  chainId: string;
  addressPrefix: string;
  validators: ValidatorSet;
  modules?: Registry;
}

export interface VerifiedProgramReport {
  height: number;
  time: number;
  program: Infer<typeof prog.ProgramSchema>;
  totals: Infer<typeof prog.TotalsSchema> | null;
  escrowBalance: bigint;
}

export interface VerifiedProgramRow {
  height: number;
  time: number;
  row: Infer<typeof prog.RowStateSchema> | null;
  paidInFull: boolean;
}

function opened(b: CredProofBundle, ctx: ProgVerifyContext) {
  return openCredProofBundle(b, { chainId: ctx.chainId, addressPrefix: ctx.addressPrefix, validators: ctx.validators, ...(ctx.modules ? { modules: ctx.modules } : {}) });
}

/** The raw bytes of the bundle's record for `query`, or null when proven absent; BundleError when the bundle lacks it. */
function rawOf(b: CredProofBundle, query: Record<string, string | number>, ctx: ProgVerifyContext): Uint8Array | null {
  const want = Buffer.from(recordKey(query as never, ctx.addressPrefix, ctx.modules)).toString('hex');
  for (const r of b.records) {
    if (Buffer.from(recordKey(r.query, ctx.addressPrefix, ctx.modules)).toString('hex') === want) return r.raw === null ? null : fromHex(r.raw);
  }
  throw new BundleError(`the bundle has no ${String(query.kind)} record`);
}

/** The node's JSON view of a record must be what the proven bytes decode to (so a caller may read either). */
function sameAsProven(what: string, view: unknown, proven: unknown, ctx: ProgVerifyContext): void {
  if (JSON.stringify(view ?? null) !== JSON.stringify(recordToJson(proven ?? null, ctx.addressPrefix))) throw new BundleError(`the ${what} the node reports is not the proven one`);
}

/** Verify prog_getReport's answer for program `id`; throws BundleError when anything does not check. */
export function verifyProgramReport(id: number, r: ProgReportView, ctx: ProgVerifyContext): VerifiedProgramReport {
  const o = opened(r.proofs, ctx);
  const p = rawOf(r.proofs, { kind: 'program', id }, ctx);
  if (p === null) throw new BundleError(`program ${id} is proven absent`);
  const program = decode(prog.ProgramSchema, p);
  const t = rawOf(r.proofs, { kind: 'prog_totals', program: id }, ctx);
  const escrow = encodeAddress(ctx.addressPrefix, escrowAddress('prog', id));
  const bal = rawOf(r.proofs, { kind: 'balance', address: escrow, currency: program.terms.currency }, ctx);
  const escrowBalance = bal === null ? 0n : decode(BalanceSchema, bal).amount;
  if (r.escrow.address !== escrow || r.escrow.balance !== escrowBalance.toString()) throw new BundleError('the escrow the node reports is not the proven one');
  const totals = t === null ? null : decode(prog.TotalsSchema, t);
  sameAsProven('program', r.program, program, ctx);
  sameAsProven('totals', r.totals, totals, ctx);
  return { height: o.height, time: o.time, program, totals, escrowBalance };
}

/** Verify prog_getRow's answer for row `row` of program `id`; throws BundleError when anything does not check. */
export function verifyProgramRow(id: number, row: number, r: ProgRowView, ctx: ProgVerifyContext): VerifiedProgramRow {
  const o = opened(r.proofs, ctx);
  const st = rawOf(r.proofs, { kind: 'prog_row_state', program: id, row }, ctx);
  const chunk = Math.floor(row / prog.CLAIM_CHUNK_ROWS);
  const c = rawOf(r.proofs, { kind: 'prog_claimed', program: id, chunk }, ctx);
  const bits = c === null ? new Uint8Array(0) : decode(prog.ClaimChunkSchema, c).bits;
  const bit = row - chunk * prog.CLAIM_CHUNK_ROWS;
  const paidInFull = ((bits[bit >> 3] ?? 0) & (0x80 >> (bit & 7))) !== 0;
  if (paidInFull !== r.paidInFull) throw new BundleError('paidInFull is not what the proven bitmap says');
  const state = st === null ? null : decode(prog.RowStateSchema, st);
  sameAsProven('row', r.row, state, ctx);
  return { height: o.height, time: o.time, row: state, paidInFull };
}

/**
 * A credential package as a ledger method's `presentation` argument (prog.claim, a tax
 * exemption): the SD-JWT VC with only the `disclose` claims revealed, bound by the holder's
 * key to audience `sov:<chainId>`, and its Merkle path in its anchor. The ledger checks the
 * holder binding through the transaction's own signature (the credential's cnf key must be a
 * key of the claiming account), so the KB-JWT is carried but not what it relies on.
 */
export async function ledgerPresentation(pkg: CredentialPackage, disclose: readonly string[], holderKey: KeyPair, o: { chainId: string; iat: number }): Promise<Infer<typeof cred.PresentationSchema>> {
  if (pkg.format !== 'sd-jwt' || typeof pkg.credential !== 'string') throw new CredError('CRED_UNSUPPORTED', 'the ledger takes SD-JWT VC presentations');
  const sdJwt = await presentSdJwtVc(pkg.credential, disclose, holderKey, { aud: `sov:${o.chainId}`, nonce: `ledger-${o.iat}`, iat: o.iat });
  return { sdJwt, position: pkg.inclusion.position, count: pkg.inclusion.count, path: pkg.inclusion.path.map((h) => fromHex(h, 32)) };
}
