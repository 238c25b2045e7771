/**
 * The editor's task catalogue from the server (`GET /api/tasks`): built-ins, tutorial tasks and the
 * user's task modules. Without a server (or before it answers) the editor keeps the built-in catalogue.
 */
'use client';
import { useEffect } from 'react';
import { withApiToken } from '@/components/run/api';
import {
  type CatalogueEntry,
  mergeCatalogue,
  type TaskCatalogue,
  type TaskParam,
  type TaskSource,
} from '@/lib/canvas/catalogue';
import type { DurationModel, TaskOptions } from '@/lib/canvas/model';
import { useActions, useEditorStore } from './EditorProvider';

interface TaskJson {
  name: string;
  source: TaskSource;
  module: string;
  description: string;
  params: TaskParam[];
  options: TaskOptions;
  sim: { duration_ms: DurationModel };
  errback_style: 'new' | 'old';
  any_kwargs?: boolean;
}

function isTaskJson(v: unknown): v is TaskJson {
  const t = v as Partial<TaskJson> | null;
  return !!t && typeof t.name === 'string' && Array.isArray(t.params) && typeof t.source === 'string';
}

/** Adds the server's non-built-in tasks to `base` (the built-ins stay the editor's own). */
export function withServerTasks(base: TaskCatalogue, list: unknown): TaskCatalogue {
  if (!Array.isArray(list)) return base;
  const extra: CatalogueEntry[] = list.filter(isTaskJson).map((t) => ({
    name: t.name,
    description: t.description,
    params: t.params,
    defaults: t.options ?? {},
    duration_ms: t.sim?.duration_ms ?? { dist: 'fixed', ms: 5 },
    errback_style: t.errback_style === 'new' ? 'new' : 'old',
    source: t.source,
    module: t.module,
    // The server already refused real clashes; an override it accepted is one here too.
    override: true,
    ...(t.any_kwargs ? { any_kwargs: true } : {}),
  }));
  const fromServer = extra.filter((e) => {
    const mine = base.get(e.name);
    return mine === undefined || mine.source !== e.source || mine.module !== e.module;
  });
  return mergeCatalogue(base, fromServer).catalogue;
}

/** Fetches `/api/tasks` once per editor and puts the user's tasks into its catalogue. */
export function useServerCatalogue(): void {
  const store = useEditorStore();
  const actions = useActions();
  useEffect(() => {
    const ac = new AbortController();
    fetch('/api/tasks', withApiToken({ signal: ac.signal }))
      .then((r) => (r.ok ? r.json() : null))
      .then((list: unknown) => {
        if (list !== null) actions.setCatalogue(withServerTasks(store.getState().catalogue, list));
      })
      .catch(() => {
        // No server (static preview, tests of the bare editor): the built-in catalogue stays.
      });
    return () => ac.abort();
  }, [store, actions]);
}
