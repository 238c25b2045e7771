/**
 * Calls to a test cluster's REST API (`startTestCluster({api: true})`): JSON in, status and JSON out,
 * and waiting for a workflow to end, polling as a client would.
 */
export interface ApiCalls {
  call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; json: Record<string, unknown> }>;
  /** The workflow object once its status is final (or as it is after `timeoutMs`). */
  waitDone(id: string, timeoutMs?: number): Promise<Record<string, unknown>>;
}

export function apiCalls(base: () => string): ApiCalls {
  async function call(method: string, path: string, body?: unknown) {
    const res = await fetch(`${base()}${path}`, {
      method,
      headers: { 'content-type': 'application/json' },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
    const text = await res.text();
    return { status: res.status, json: text ? (JSON.parse(text) as Record<string, unknown>) : {} };
  }
  async function waitDone(id: string, timeoutMs = 30_000) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { json } = await call('GET', `/api/workflows/${id}`);
      if (['success', 'error', 'canceled'].includes(String(json.status)) || Date.now() > deadline)
        return json;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { call, waitDone };
}
