/**
 * JSON-RPC calls the fault suite and the soak make: one call, or a batch (one HTTP request,
 * answers in call order, each a result or an error), each with a bounded wait. All the suite's
 * checks go through here: they see the nodes only as a client does.
 */
export interface RpcAnswer {
  result?: unknown;
  error?: { code: number; message: string; data?: unknown };
}

export async function rpcBatch(url: string, calls: { method: string; params: unknown }[], timeoutMs = 10_000, apiKey?: string): Promise<RpcAnswer[]> {
  if (calls.length === 0) return [];
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (apiKey) headers.authorization = `Bearer ${apiKey}`;
  const res = await fetch(url, {
    method: 'POST', headers,
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: '2.0', id, method: c.method, params: c.params }))),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const body = (await res.json()) as (RpcAnswer & { id: number })[] | RpcAnswer;
  if (!Array.isArray(body)) throw new Error(`batch refused: ${JSON.stringify(body.error ?? body).slice(0, 300)}`);
  const out: RpcAnswer[] = new Array(calls.length);
  for (const a of body) out[a.id] = a;
  return out;
}

export async function rpcCall<T>(url: string, method: string, params: unknown = [], timeoutMs = 10_000, apiKey?: string): Promise<T> {
  const [a] = await rpcBatch(url, [{ method, params }], timeoutMs, apiKey);
  if (a!.error) throw new Error(`${method}: ${a!.error.message}`);
  return a!.result as T;
}

/** Calls in batches of `size`, one batch at a time. */
export async function rpcMany(url: string, calls: { method: string; params: unknown }[], size = 200, timeoutMs = 30_000): Promise<RpcAnswer[]> {
  const out: RpcAnswer[] = [];
  for (let i = 0; i < calls.length; i += size) out.push(...(await rpcBatch(url, calls.slice(i, i + size), timeoutMs)));
  return out;
}

export interface Status {
  height: number;
  blockHash: string | null;
  stateRoot: string | null;
  peers: number;
  nodeId: string;
}

/** Node status, or null when it does not answer within `timeoutMs`. */
export async function status(url: string, timeoutMs = 3000): Promise<Status | null> {
  try {
    return await rpcCall<Status>(url, 'sov_status', [], timeoutMs);
  } catch {
    return null;
  }
}
