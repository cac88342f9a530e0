/**
 * The ledger's part of verifying a credential, as one bundle of proven records at one
 * height: the issuer's accreditation and its accreditor's, the issuer's account and key
 * history, the anchor of the credential's batch and its schema, and the two status chunks
 * holding its revocation and suspension bits; with the header of that height and its commit
 * certificate. `credProofBundle` builds it from a node's proven reads (`cred_proofs`);
 * `openCredProofBundle` checks it with nothing but a trusted validator set (the certificate
 * once, then every record's state proof against the header's root) and gives the decoded
 * records. A verifier offline needs the bundle and the credential; nothing else.
 */
import { decode, equalBytes, fromHex, headerHash, verifyCommit, type ValidatorSet } from '../core/index.js';
import { verifyProof } from '../state/index.js';
import { BUILTIN, cred, recordSchemaOf, type Registry } from '../vm/index.js';
import type { CommitView, HeaderView, RecordQuery, RecordView } from './facade.js';
import { commitFromView, headerFromView, recordKey } from './records.js';
import { RpcCodes, RpcError } from './errors.js';

export interface CredProofRecord {
  query: RecordQuery;
  /** The stored bytes, 0x-hex, or null for a record that is absent (proven absent). */
  raw: string | null;
  /** The state proof of the key (value or absence), 0x-hex. */
  proof: string;
}

export interface CredProofBundle {
  height: number;
  header: HeaderView;
  commit: CommitView;
  records: CredProofRecord[];
}

/** Reads a record with its proof at a height (the node's facade `record`). */
export type ProvenRead = (q: RecordQuery, height: number) => Promise<RecordView>;

/** The queries of a credential's records, given the issuer, its batch (first index) and its status index. */
function statusQueries(issuer: string, index: number): RecordQuery[] {
  return [cred.StatusPurpose.REVOCATION, cred.StatusPurpose.SUSPENSION].map((purpose) => ({ kind: 'cred_status', issuer, chunk: cred.statusSlot(index, purpose).chunk }));
}

/** Build the bundle for a credential of `issuer` (address), anchored in batch `batch`, status index `index`, at `height`. */
export async function credProofBundle(read: ProvenRead, issuer: string, batch: number, index: number, height: number): Promise<CredProofBundle> {
  if (!Number.isSafeInteger(batch) || !Number.isSafeInteger(index) || batch < 0 || index < batch) {
    throw new RpcError(RpcCodes.INVALID_PARAMS, 'batch and index are non-negative integers, index >= batch');
  }
  const got: { q: RecordQuery; v: RecordView }[] = [];
  const get = async (q: RecordQuery): Promise<RecordView> => {
    const v = await read(q, height);
    if (!v.proof) throw new RpcError(RpcCodes.INTERNAL_ERROR, 'a proven read came without its proof');
    got.push({ q, v });
    return v;
  };
  const acc = await get({ kind: 'accreditation', address: issuer });
  await get({ kind: 'account', address: issuer });
  await get({ kind: 'key_history', address: issuer });
  const anchor = await get({ kind: 'cred_anchor', issuer, index: batch });
  const accreditedBy = (acc.value as { accreditedBy?: string } | null)?.accreditedBy;
  if (typeof accreditedBy === 'string') await get({ kind: 'accreditation', address: accreditedBy });
  const schema = (anchor.value as { schema?: string } | null)?.schema;
  if (typeof schema === 'string') await get({ kind: 'cred_schema', schema });
  for (const q of statusQueries(issuer, index)) await get(q);
  const first = got[0]!.v.proof!;
  return { height, header: first.header, commit: first.commit, records: got.map(({ q, v }) => ({ query: q, raw: v.raw, proof: v.proof!.proof })) };
}

/** What `openCredProofBundle` needs: the chain, its address prefix, the validator set trusted for the bundle's height. */
export interface OpenBundleOptions {
  chainId: string;
  addressPrefix: string;
  validators: ValidatorSet;
  modules?: Registry;
  /** Certificates verified already, by `${height}:${block hash}` (a verifier's cache: one check per height). */
  verified?: Set<string>;
  /**
   * Record proofs verified already against a certified root (a verifier's cache: the records
   * of an issuer, its batch and its status chunk are the same for its credentials at one
   * height). Holds at most PROVEN_CACHE_LIMIT entries; emptied when full.
   */
  proven?: Map<string, { raw: string | null; proof: string }>;
}

export const PROVEN_CACHE_LIMIT = 4096;

/** A bundle that does not check: the reason, for the verifier's code CRED_PROOF_INVALID. */
export class BundleError extends Error {
  readonly code = 'CRED_PROOF_INVALID';
}

/**
 * Check the bundle's certificate against the trusted set (once per height and block, with
 * `verified`) and every record's proof against the header's state root. Returns each record,
 * decoded, by its state key (0x-hex); an absent record maps to null.
 */
export function openCredProofBundle(b: CredProofBundle, opts: OpenBundleOptions): { height: number; time: number; records: Map<string, unknown> } {
  const reg = opts.modules ?? BUILTIN;
  let header;
  let commit;
  try {
    header = headerFromView(b.header);
    commit = commitFromView(b.commit);
  } catch (e) {
    throw new BundleError(`malformed header or certificate: ${(e as Error).message}`);
  }
  if (header.chainId !== opts.chainId) throw new BundleError(`header is of chain ${header.chainId}`);
  if (header.height !== b.height) throw new BundleError(`header is for height ${header.height}, the bundle claims ${b.height}`);
  if (!equalBytes(header.validatorsHash, opts.validators.hash)) throw new BundleError('header does not name the trusted validator set');
  const blockHash = headerHash(header);
  const seen = `${header.height}:${Buffer.from(blockHash).toString('hex')}`;
  if (!opts.verified?.has(seen)) {
    try {
      verifyCommit(opts.chainId, commit, opts.validators, { height: header.height, blockHash });
    } catch (e) {
      throw new BundleError(`commit certificate: ${(e as Error).message}`);
    }
    opts.verified?.add(seen);
  }
  const records = new Map<string, unknown>();
  for (const r of b.records) {
    let key: Uint8Array;
    let raw: Uint8Array | null;
    try {
      key = recordKey(r.query, opts.addressPrefix, reg);
      raw = r.raw === null ? null : fromHex(r.raw);
    } catch (e) {
      throw new BundleError(`malformed record ${r.query.kind}: ${(e as Error).message}`);
    }
    const keyHex = Buffer.from(key).toString('hex');
    // The cache is by certified block and key; a hit is the same record bytes with the same proof.
    const memo = opts.proven ? `${seen}:${keyHex}` : null;
    const hit = memo === null ? undefined : opts.proven!.get(memo);
    if (hit === undefined || hit.raw !== r.raw || hit.proof !== r.proof) {
      let proof: Uint8Array;
      try {
        proof = fromHex(r.proof);
      } catch (e) {
        throw new BundleError(`malformed proof of ${r.query.kind}: ${(e as Error).message}`);
      }
      if (!verifyProof(header.stateRoot, key, raw, proof)) throw new BundleError(`the proof of ${r.query.kind} does not match the header's state root`);
      if (memo !== null) {
        if (opts.proven!.size >= PROVEN_CACHE_LIMIT) opts.proven!.clear();
        opts.proven!.set(memo, { raw: r.raw, proof: r.proof });
      }
    }
    let value: unknown = null;
    if (raw !== null) {
      try {
        value = decode(recordSchemaOf(key, reg)!.schema, raw);
      } catch (e) {
        throw new BundleError(`proven bytes of ${r.query.kind} do not decode: ${(e as Error).message}`);
      }
    }
    records.set(keyHex, value);
  }
  return { height: header.height, time: header.time, records };
}
