'use client';
import { type DragEvent, useMemo, useState } from 'react';
import { DRAG_MIME } from './Canvas';
import { useActions, useEditor } from './EditorProvider';
import { useServerCatalogue } from './paletteCatalogue';
import { type PaletteGrouping, paletteGroups } from './paletteGroups';

type Item = { kind: 'task' | 'group' | 'chord' | 'chain'; name?: string };

const CONTAINERS: Array<{ kind: 'group' | 'chord' | 'chain'; label: string; hint: string }> = [
  { kind: 'group', label: 'Group', hint: 'Members run in parallel' },
  { kind: 'chord', label: 'Chord', hint: 'Header in parallel, then the body with all results' },
  { kind: 'chain', label: 'Chain', hint: 'Steps run one after another' },
];

/** Searchable palette: drag onto the pane, onto an edge (insert), or into a container; Enter adds. */
export function Palette() {
  const catalogue = useEditor((s) => s.catalogue);
  const actions = useActions();
  const [query, setQuery] = useState('');
  const [grouping, setGrouping] = useState<PaletteGrouping>('module');
  useServerCatalogue();
  const groups = useMemo(() => paletteGroups(catalogue, query, grouping), [catalogue, query, grouping]);
  const matches = groups.reduce((n, g) => n + g.entries.length, 0);

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
    const task = groups[0]?.entries[0]?.entry;
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
      <div className="cf-palette-grouping" role="radiogroup" aria-label="Group tasks by">
        {(['module', 'queue'] as const).map((g) => (
          <label key={g}>
            <input
              type="radio"
              name="palette-grouping"
              value={g}
              checked={grouping === g}
              data-testid={`palette-group-by-${g}`}
              onChange={() => setGrouping(g)}
            />
            by {g}
          </label>
        ))}
      </div>
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
        {groups.map((g) => (
          <section key={g.key} data-testid={`palette-section-${g.key}`}>
            <h3 className="cf-section-title">{g.title}</h3>
            {g.entries.map(({ entry: e, signature, queue }) => (
              <button
                type="button"
                key={e.name}
                className="cf-palette-item"
                draggable
                aria-label={`Add task ${e.name}`}
                data-testid={`palette-task-${e.name}`}
                title={`${signature}\n${e.description}`}
                onDragStart={(ev) => onDragStart(ev, { kind: 'task', name: e.name })}
                onClick={() => add({ kind: 'task', name: e.name })}
              >
                <span className="cf-palette-icon is-task">ƒ</span>
                <span>
                  <strong>{e.name}</strong>
                  <code className="cf-palette-signature">{signature}</code>
                  <small>{e.description}</small>
                  {queue !== 'default' && <small className="cf-palette-queue">queue {queue}</small>}
                </span>
              </button>
            ))}
          </section>
        ))}
        {matches === 0 && <p className="cf-empty">No task matches “{query}”.</p>}
      </div>
    </aside>
  );
}
