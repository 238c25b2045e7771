'use client';
import { useState } from 'react';
import type { Problem } from '@/lib/canvas/problems';
import { readablePath } from '@/lib/canvas/readablePath';
import { useActions, useEditor } from '../EditorProvider';

/** Problems drawn at first, and per "show more": a canvas of 10,000 unknown tasks has 10,000. */
const PAGE = 100;

/** The validation problems (the first hundred, then more on demand); clicking one selects its node. */
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
  const [shown, setShown] = useState(PAGE);
  if (problems.length === 0)
    return (
      <div className="cf-problems" data-testid="problems">
        <p className="cf-ok">No problems: this canvas is valid.</p>
      </div>
    );
  const rest = problems.length - shown;
  return (
    <ul className="cf-problems" data-testid="problems">
      {problems.slice(0, shown).map((p, i) => {
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
      {rest > 0 && (
        <li>
          <button
            type="button"
            className="cf-problems-more"
            data-testid="problems-more"
            onClick={() => setShown((n) => n + PAGE)}
          >
            {`Show ${Math.min(PAGE, rest)} more (${rest.toLocaleString('en-US')} more problem${rest === 1 ? '' : 's'}; ${problems.length.toLocaleString('en-US')} in all)`}
          </button>
        </li>
      )}
    </ul>
  );
}
