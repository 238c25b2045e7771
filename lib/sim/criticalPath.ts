/**
 * Critical path of a simulated run: from the task that finished last, follow "whose completion
 * dispatched me" back to a task dispatched at the start. Its length is the makespan's explanation.
 */
import type { LoopResult } from './loop';

export function criticalPath(result: Pick<LoopResult, 'enabledBy' | 'spans'>): string[] {
  let last: string | undefined;
  let lastEnd = -1;
  for (const [id, span] of result.spans) {
    if (span.end > lastEnd) {
      lastEnd = span.end;
      last = id;
    }
  }
  const path: string[] = [];
  const seen = new Set<string>();
  let current: string | null | undefined = last;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    path.push(current);
    current = result.enabledBy.get(current);
  }
  return path.reverse();
}
