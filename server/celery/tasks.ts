/**
 * The Celery app's own tasks as a catalogue source (palette, GET /api/tasks): listed over remote control
 * like `celery inspect registered` (celery-wire.md 5.1), or read from a catalogue file when workers are
 * not reachable (`CHORDFLOW_CELERY_TASKS_FILE`: a JSON list of names or `{name, queue?, description?}`).
 */
import { readFile } from 'node:fs/promises';
import type { Redis } from 'ioredis';
import type { CatalogueEntry } from '../../lib/canvas/catalogue';
import { broadcastWithReply } from './control';

/** Celery's own tasks (`celery.chord`, `celery.backend_cleanup` …) are not for canvases. */
function isAppTask(name: string): boolean {
  return !name.startsWith('celery.');
}

/** A catalogue entry for a task that lives in the Celery app (no local code, Celery's defaults). */
export function celeryEntry(
  name: string,
  extra: { queue?: string; description?: string; workers?: string[] } = {},
): CatalogueEntry {
  const where =
    extra.workers && extra.workers.length > 0 ? ` (registered on ${extra.workers.join(', ')})` : '';
  return {
    name,
    description: extra.description ?? `Task of your Celery app${where}.`,
    params: [{ name: 'args', kind: 'varargs' }],
    defaults: extra.queue ? { queue: extra.queue } : {},
    duration_ms: { dist: 'fixed', ms: 50 },
    errback_style: 'old',
    source: 'celery',
    module: 'celery',
  };
}

/** `inspect registered` on every worker that answers within `timeoutMs`: entries by name. */
export async function inspectRegistered(
  broker: Redis,
  brokerUrl: string,
  timeoutMs = 1000,
): Promise<CatalogueEntry[]> {
  const replies = await broadcastWithReply(broker, brokerUrl, 'registered', { taskinfoitems: [] }, timeoutMs);
  const byName = new Map<string, string[]>();
  for (const [worker, names] of Object.entries(replies)) {
    if (!Array.isArray(names)) continue;
    for (const raw of names) {
      // `registered` may append task info after the name ("name [rate_limit=…]").
      const name = typeof raw === 'string' ? (raw.split(' ')[0] ?? '') : '';
      if (!name || !isAppTask(name)) continue;
      byName.set(name, [...(byName.get(name) ?? []), worker]);
    }
  }
  return [...byName.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([name, workers]) => celeryEntry(name, { workers }));
}

/** Entries from a catalogue file; a sentence for a file that is not one. */
export async function readCatalogueFile(
  path: string,
): Promise<{ entries: CatalogueEntry[]; problem?: string }> {
  let value: unknown;
  try {
    value = JSON.parse(await readFile(path, 'utf8'));
  } catch (err) {
    return {
      entries: [],
      problem: `Celery task catalogue ${path} cannot be read as JSON: ${(err as Error).message}`,
    };
  }
  const list = Array.isArray(value) ? value : [];
  const entries: CatalogueEntry[] = [];
  for (const item of list) {
    if (typeof item === 'string' && item) entries.push(celeryEntry(item));
    else if (item && typeof item === 'object' && typeof (item as { name?: unknown }).name === 'string') {
      const o = item as { name: string; queue?: unknown; description?: unknown };
      entries.push(
        celeryEntry(o.name, {
          ...(typeof o.queue === 'string' ? { queue: o.queue } : {}),
          ...(typeof o.description === 'string' ? { description: o.description } : {}),
        }),
      );
    }
  }
  if (!Array.isArray(value))
    return { entries, problem: `Celery task catalogue ${path} must be a JSON list.` };
  return { entries };
}
