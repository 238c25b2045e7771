'use client';
import { type DragEvent, useMemo, useState } from 'react';
import type { CatalogueEntry } from '@/lib/canvas/catalogue';
import { DRAG_MIME } from './Canvas';
import { useActions, useEditor } from './EditorProvider';

type Item = { kind: 'task' | 'group' | 'chord' | 'chain'; name?: string };

const CONTAINERS: Array<{ kind: 'group' | 'chord' | 'chain'; label: string; hint: string }> = [
  { kind: 'group', label: 'Group', hint: 'Members run in parallel' },
  { kind: 'chord', label: 'Chord', hint: 'Header in parallel, then the body with all results' },
  { kind: 'chain', label: 'Chain', hint: 'Steps run one after another' },
];

const CATEGORY_TITLES: Record<CatalogueEntry['category'], string> = {
  builtin: 'Built-in tasks',
  tutorial: 'Tutorial tasks',
  user: 'Your tasks',
};

/** Searchable palette: drag onto the pane, onto an edge (insert), or into a container; Enter adds. */
export function Palette() {
  const catalogue = useEditor((s) => s.catalogue);
  const actions = useActions();
  const [query, setQuery] = useState('');
  const entries = useMemo(() => {
    const q = query.trim().toLowerCase();
    return [...catalogue.values()].filter(
      (e) => q === '' || e.name.toLowerCase().includes(q) || e.description.toLowerCase().includes(q),
    );
  }, [catalogue, query]);
  const groups = (['tutorial', 'builtin', 'user'] as const)
    .map((c) => ({ c, list: entries.filter((e) => e.category === c) }))
    .filter((g) => g.list.length > 0);

  const onDragStart = (e: DragEvent, item: Item) => {
    e.dataTransfer.setData(DRAG_MIME, JSON.stringify(item));
    e.dataTransfer.effectAllowed = 'copy';
  };
  const add = (item: Item) => {
    if (item.kind === 'task') actions.addTask(item.name!);
    else actions.addContainer(item.kind);
  };
  const matchingContainers = CONTAINERS.filter(
    (c) => query === '' || c.label.toLowerCase().includes(query.toLowerCase()),
  );
  /** Enter in the search box adds the first match, in the order the palette lists them. */
  const addFirstMatch = () => {
    if (query.trim() === '') return;
    const container = matchingContainers[0];
    const task = groups[0]?.list[0];
    if (container) add({ kind: container.kind });
    else if (task) add({ kind: 'task', name: task.name });
  };
  return (
    <aside className="cf-palette" aria-label="Task palette" data-testid="palette">
      <input
        className="cf-input"
        type="search"
        placeholder="Search tasks…  ( / )"
        aria-label="Search tasks"
        data-testid="palette-search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          addFirstMatch();
        }}
      />
      <div className="cf-palette-scroll">
        <h3 className="cf-section-title">Structure</h3>
        {matchingContainers.map((c) => (
          <button
            type="button"
            key={c.kind}
            className={`cf-palette-item is-${c.kind}`}
            draggable
            aria-label={`Add ${c.label}`}
            data-testid={`palette-${c.kind}`}
            title={c.hint}
            onDragStart={(e) => onDragStart(e, { kind: c.kind })}
            onClick={() => add({ kind: c.kind })}
          >
            <span className="cf-palette-icon">
              {c.kind === 'group' ? '∥' : c.kind === 'chord' ? '⋔' : '→'}
            </span>
            <span>
              <strong>{c.label}</strong>
              <small>{c.hint}</small>
            </span>
          </button>
        ))}
        {groups.map(({ c, list }) => (
          <section key={c}>
            <h3 className="cf-section-title">{CATEGORY_TITLES[c]}</h3>
            {list.map((e) => (
              <button
                type="button"
                key={e.name}
                className="cf-palette-item"
                draggable
                aria-label={`Add task ${e.name}`}
                data-testid={`palette-task-${e.name}`}
                title={e.description}
                onDragStart={(ev) => onDragStart(ev, { kind: 'task', name: e.name })}
                onClick={() => add({ kind: 'task', name: e.name })}
              >
                <span className="cf-palette-icon is-task">ƒ</span>
                <span>
                  <strong>{e.name}</strong>
                  <small>{e.description}</small>
                </span>
              </button>
            ))}
          </section>
        ))}
        {entries.length === 0 && <p className="cf-empty">No task matches “{query}”.</p>}
      </div>
    </aside>
  );
}
