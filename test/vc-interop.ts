/**
 * The Digital Bazaar libraries as an independent verifier, offline: a JSON-LD document loader
 * that serves the contexts from their npm packages, builds did:key documents locally, and
 * serves the documents a test puts in `served` (status list credentials); anything else
 * throws. `requested` records every URL asked for. Only interop tests import this file.
 */
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { createVerifyCryptosuite } from '@digitalbazaar/eddsa-jcs-2022-cryptosuite';
import { contexts as credentialsContexts } from '@digitalbazaar/credentials-context';
import { contexts as multikeyContexts } from '@digitalbazaar/multikey-context';
import { contexts as dataIntegrityContexts } from '@digitalbazaar/data-integrity-context';
import { verificationMethodOf } from '../rpc/index.js';

export interface OfflineLoader {
  documentLoader: (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: unknown }>;
  /** Documents served by URL (a test adds its status list credentials). */
  served: Map<string, unknown>;
  /** Every URL asked for, in order. */
  requested: string[];
  /** Whether every http(s) URL asked for was a bundled context (nothing would have gone to the network). */
  onlyLocal(): boolean;
}

function didDocument(did: string): Record<string, unknown> {
  const vm = verificationMethodOf(did);
  return {
    '@context': ['https://www.w3.org/ns/did/v1', 'https://w3id.org/security/multikey/v1'],
    id: did,
    verificationMethod: [{ id: vm, type: 'Multikey', controller: did, publicKeyMultibase: did.slice('did:key:'.length) }],
    assertionMethod: [vm],
    authentication: [vm],
  };
}

export function offlineLoader(): OfflineLoader {
  const contexts = new Map<string, unknown>([...credentialsContexts, ...multikeyContexts, ...dataIntegrityContexts]);
  const served = new Map<string, unknown>();
  const requested: string[] = [];
  const documentLoader = async (url: string): Promise<{ contextUrl: null; documentUrl: string; document: unknown }> => {
    requested.push(url);
    const answer = (document: unknown) => ({ contextUrl: null, documentUrl: url, document: structuredClone(document) });
    if (contexts.has(url)) return answer(contexts.get(url));
    if (served.has(url)) return answer(served.get(url));
    if (url.startsWith('did:key:')) {
      const [did, fragment] = url.split('#') as [string, string | undefined];
      const doc = didDocument(did);
      if (fragment === undefined) return answer(doc);
      return answer({ '@context': 'https://w3id.org/security/multikey/v1', ...(doc.verificationMethod as object[])[0] });
    }
    throw new Error(`offline test: no document for ${url}`);
  };
  return { documentLoader, served, requested, onlyLocal: () => requested.every((u) => !u.startsWith('http') || contexts.has(u) || served.has(u)) };
}

/** Their eddsa-jcs-2022 verification suite. */
export const dbVerifySuite = (): DataIntegrityProof => new DataIntegrityProof({ cryptosuite: createVerifyCryptosuite() });
