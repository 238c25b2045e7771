/**
 * Browser calls to the REST API (celery-director compatible, SPEC 2.4). Every failure becomes a sentence
 * a person can act on; a 503 means the cluster (Redis/workers) is not available.
 */
import type { CanvasFile, Json } from '@/lib/canvas/model';

export interface WorkflowSummary {
  id: string;
  name: string;
  project?: string;
  fullname?: string;
  status: string;
  created: string;
  updated?: string;
  payload?: Json;
  comment?: string;
  /** Set by the watchdog: no new event for that long (CHORDFLOW_STUCK_MS). */
  no_progress_ms?: number;
}

export interface WorkflowTask {
  id: string;
  key: string;
  status: string;
  celery_state?: string;
  previous?: string[];
  result?: Json | { exception: string; traceback?: string };
  attempts?: number;
  started?: string | number | null;
  finished?: string | number | null;
  [key: string]: unknown;
}

export interface WorkflowDetail extends WorkflowSummary {
  tasks: WorkflowTask[];
  canvas?: CanvasFile | null;
  [key: string]: unknown;
}

export interface ListQuery {
  status?: string;
  name?: string;
  page?: number;
  per_page?: number;
}

/** A document name as the API accepts it for a run name (1–64 letters, digits, `_`, `-`). */
export function runNameOf(docName: string): string | undefined {
  const cleaned = docName
    .trim()
    .replace(/[^A-Za-z0-9_-]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 64);
  return cleaned || undefined;
}

export class ApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

const TOKEN_KEY = 'chordflow.apiToken';

export function apiToken(): string | undefined {
  if (typeof localStorage === 'undefined') return undefined;
  return localStorage.getItem(TOKEN_KEY) ?? undefined;
}

/** `init` with the saved API token as `Authorization: Bearer` (every API request needs it when set). */
export function withApiToken(init: RequestInit = {}): RequestInit {
  const token = apiToken();
  if (!token) return init;
  return {
    ...init,
    headers: { ...(init.headers as Record<string, string>), authorization: `Bearer ${token}` },
  };
}

export function setApiToken(token: string): void {
  if (typeof localStorage === 'undefined') return;
  if (token) localStorage.setItem(TOKEN_KEY, token);
  else localStorage.removeItem(TOKEN_KEY);
}

/** `text` as a sentence ending with one full stop ('' stays ''). */
function sentence(text: string): string {
  const t = text.trim().replace(/\.+$/, '');
  return t ? `${t}.` : '';
}

function explain(status: number, body: unknown, what: string): string {
  const detail =
    body &&
    typeof body === 'object' &&
    'error' in body &&
    typeof (body as { error: unknown }).error === 'string'
      ? (body as { error: string }).error
      : body && typeof body === 'object' && 'message' in body
        ? String((body as { message: unknown }).message)
        : '';
  if (status === 503)
    return `The cluster is not available, so ${what} is not possible right now. ${sentence(detail) || 'Start Redis and the workers (`npx chordflow serve` does both).'} The editor and the simulator keep working.`;
  if (status === 401 || status === 403)
    return `The server refused the API token while ${what}. Set the token (CHORDFLOW_API_TOKEN) in the runs page settings.`;
  if (status === 404) return detail || `Not found while ${what}.`;
  return detail || `The server answered ${status} while ${what}.`;
}

async function call<T>(method: string, path: string, what: string, body?: unknown): Promise<T> {
  const headers: Record<string, string> = {};
  if (body !== undefined) headers['content-type'] = 'application/json';
  const token = apiToken();
  if (token) headers.authorization = `Bearer ${token}`;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(
      `The Chordflow server could not be reached while ${what}. Is \`chordflow serve\` running?`,
      0,
    );
  }
  const text = await res.text();
  let parsed: unknown = null;
  try {
    parsed = text ? JSON.parse(text) : null;
  } catch {
    parsed = text;
  }
  if (!res.ok) throw new ApiError(explain(res.status, parsed, what), res.status);
  return parsed as T;
}

/**
 * Runs an ad-hoc canvas: `canvas` is Canvas JSON (SPEC 2.1), e.g. `toCanvasJson(file)`; `target`
 * `celery` sends it to the server's Celery cluster instead of Chordflow's workers. `comment` is
 * director's free-text comment (a retry names the run it retries there).
 */
export function submitCanvas(
  canvas: Json,
  payload: Json,
  name?: string,
  target?: 'cluster' | 'celery',
  comment?: string,
): Promise<WorkflowSummary> {
  return call('POST', '/api/workflows', 'starting the run', {
    canvas,
    payload,
    ...(name ? { name } : {}),
    ...(target === 'celery' ? { target } : {}),
    ...(comment ? { comment } : {}),
  });
}

export function listWorkflows(query: ListQuery): Promise<WorkflowSummary[]> {
  const params = new URLSearchParams();
  if (query.status) params.set('status', query.status);
  if (query.name) params.set('name', query.name);
  if (query.page) params.set('page', String(query.page));
  if (query.per_page) params.set('per_page', String(query.per_page));
  const qs = params.toString();
  return call<WorkflowSummary[] | { workflows: WorkflowSummary[] }>(
    'GET',
    `/api/workflows${qs ? `?${qs}` : ''}`,
    'listing runs',
  ).then((r) => (Array.isArray(r) ? r : r.workflows));
}

export function getWorkflow(id: string): Promise<WorkflowDetail> {
  return call('GET', `/api/workflows/${encodeURIComponent(id)}`, `loading run ${id}`);
}

/** Relaunches a run; with `payload`, with that (edited) input instead of the run's own. */
/** The run report (SPEC 2.3): every task with its Chordflow id and task name. */
export function getRunReport(id: string): Promise<{ tasks: Array<{ id: string; name: string }> }> {
  return call('GET', `/api/workflows/${encodeURIComponent(id)}/report`, `loading the report of run ${id}`);
}

export function relaunchWorkflow(id: string, payload?: Json): Promise<WorkflowSummary> {
  return call(
    'POST',
    `/api/workflows/${encodeURIComponent(id)}/relaunch`,
    `relaunching run ${id}`,
    payload === undefined ? undefined : { payload },
  );
}

export function cancelWorkflow(id: string): Promise<WorkflowSummary> {
  return call('POST', `/api/workflows/${encodeURIComponent(id)}/cancel`, `canceling run ${id}`);
}

export function clusterHealth(): Promise<{ status: string; [key: string]: unknown }> {
  return call('GET', '/api/health', 'checking the cluster');
}
