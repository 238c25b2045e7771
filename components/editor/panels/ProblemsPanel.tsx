'use client';
import type { Problem } from '@/lib/canvas/problems';
import { readablePath } from '@/lib/canvas/readablePath';
import { useActions, useEditor } from '../EditorProvider';

/** Every validation problem; clicking one selects its node. */
export function ProblemsPanel({
  problems,
  nodeOf,
}: {
  problems: Problem[];
  nodeOf: (p: Problem) => string | undefined;
}) {
  const actions = useActions();
  // Where a problem is, in words: the label the user wrote, else `step 2 › header 1`.
  const canvas = useEditor((s) => s.doc.canvas);
  if (problems.length === 0)
    return (
      <div className="cf-problems" data-testid="problems">
        <p className="cf-ok">No problems: this canvas is valid.</p>
      </div>
    );
  return (
    <ul className="cf-problems" data-testid="problems">
      {problems.map((p, i) => {
        const id = nodeOf(p);
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: problems are recomputed as a whole; path + index is stable enough.
          <li key={`${p.path}-${i}`}>
            <button
              type="button"
              className={`cf-problem is-${p.severity}`}
              data-testid="problem-item"
              onClick={() => id !== undefined && actions.select([id])}
            >
              <span className="cf-problem-sev">{p.severity === 'error' ? 'Error' : 'Warning'}</span>
              <span className="cf-problem-msg">{p.message}</span>
              <code className="cf-problem-path" title={p.path}>
                {p.node_id ?? readablePath(p.path, canvas ?? undefined)}
              </code>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
