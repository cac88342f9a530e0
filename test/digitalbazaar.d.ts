/**
 * Types for the Digital Bazaar libraries the interoperability tests use (they ship JavaScript
 * without declarations): only the calls the tests make.
 */
declare module '@digitalbazaar/vc' {
  export function issue(options: { credential: object; suite: object; documentLoader: DocumentLoader }): Promise<Record<string, unknown>>;
  export function verifyCredential(options: { credential: object; suite: object; documentLoader: DocumentLoader; checkStatus?: (options: never) => Promise<unknown> }): Promise<{
    verified: boolean;
    error?: { message?: string; errors?: { message: string }[] };
    statusResult?: { verified: boolean; results?: { verified: boolean; status: boolean; credentialStatus: { statusPurpose: string } }[] };
  }>;
  type DocumentLoader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: unknown }>;
}
declare module '@digitalbazaar/data-integrity' {
  export class DataIntegrityProof {
    constructor(options: { signer?: object; cryptosuite: object; date?: string });
  }
}
declare module '@digitalbazaar/eddsa-jcs-2022-cryptosuite' {
  export function createSignCryptosuite(): object;
  export function createVerifyCryptosuite(): object;
}
declare module '@digitalbazaar/ed25519-multikey' {
  export interface Ed25519KeyPair {
    id?: string;
    controller?: string;
    publicKeyMultibase: string;
    signer(): object;
  }
  export function generate(options: { seed?: Uint8Array; id?: string; controller?: string }): Promise<Ed25519KeyPair>;
}
declare module '@digitalbazaar/vc-bitstring-status-list' {
  export interface BitstringStatusList {
    length: number;
    bitstring: { bits: Uint8Array };
    setStatus(index: number, status: boolean): void;
    getStatus(index: number): boolean;
    encode(): Promise<string>;
  }
  export function createList(options: { length: number }): Promise<BitstringStatusList>;
  export function decodeList(options: { encodedList: string }): Promise<BitstringStatusList>;
  export function checkStatus(options: { credential: object; documentLoader: (url: string) => Promise<unknown>; suite: object; verifyBitstringStatusListCredential?: boolean; verifyMatchingIssuers?: boolean }): Promise<{
    verified: boolean;
    error?: Error;
    results?: { verified: boolean; status: boolean; credentialStatus: { statusPurpose: string } }[];
  }>;
}
declare module '@digitalbazaar/credentials-context' {
  export const contexts: Map<string, unknown>;
}
declare module '@digitalbazaar/multikey-context' {
  export const contexts: Map<string, unknown>;
}
declare module '@digitalbazaar/data-integrity-context' {
  export const contexts: Map<string, unknown>;
}
