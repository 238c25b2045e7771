/** How the palette groups and filters tasks: by module (default) or by queue; search on name, signature, description. */
import { type CatalogueEntry, signatureOf, type TaskCatalogue } from '@/lib/canvas/catalogue';

export type PaletteGrouping = 'module' | 'queue';

export interface PaletteGroup {
  key: string;
  title: string;
  entries: Array<{ entry: CatalogueEntry; signature: string; queue: string }>;
}

const SOURCE_TITLES: Record<CatalogueEntry['source'], string> = {
  tutorial: 'Tutorial tasks',
  builtin: 'Built-in tasks',
  user: 'Your tasks',
  celery: 'Celery tasks',
};
const SOURCE_ORDER: CatalogueEntry['source'][] = ['user', 'celery', 'tutorial', 'builtin'];

function queueOf(entry: CatalogueEntry): string {
  return entry.defaults.queue ?? 'default';
}

/** The palette's sections for `query` (your own tasks first: they are what you came for). */
export function paletteGroups(
  catalogue: TaskCatalogue,
  query: string,
  grouping: PaletteGrouping,
): PaletteGroup[] {
  const q = query.trim().toLowerCase();
  const groups = new Map<string, PaletteGroup>();
  const rank = (e: CatalogueEntry) => SOURCE_ORDER.indexOf(e.source);
  const all = [...catalogue.values()].sort((a, b) => rank(a) - rank(b));
  for (const entry of all) {
    const signature = signatureOf(entry);
    const queue = queueOf(entry);
    if (
      q !== '' &&
      !entry.name.toLowerCase().includes(q) &&
      !signature.toLowerCase().includes(q) &&
      !entry.description.toLowerCase().includes(q) &&
      !(entry.module ?? '').toLowerCase().includes(q) &&
      !(grouping === 'queue' && queue.toLowerCase().includes(q))
    )
      continue;
    let key: string;
    let title: string;
    if (grouping === 'queue') {
      key = `queue:${queue}`;
      title = `Queue ${queue}`;
    } else if (entry.source === 'user' || entry.source === 'celery') {
      key = `${entry.source}:${entry.module ?? ''}`;
      title = `${SOURCE_TITLES[entry.source]} · ${entry.module ?? entry.source}`;
    } else {
      key = entry.source;
      title = SOURCE_TITLES[entry.source];
    }
    let g = groups.get(key);
    if (!g) {
      g = { key, title, entries: [] };
      groups.set(key, g);
    }
    g.entries.push({ entry, signature, queue });
  }
  return [...groups.values()];
}
