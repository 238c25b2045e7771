/**
 * Critical path of a simulated run: from the task that finished last, follow "whose completion
 * dispatched me" back to a task dispatched at the start. It explains the makespan.
 */

/** Task ids from the first to `last`, following `causeOf` (null/undefined = dispatched at the start). */
export function criticalPath(
  last: string | undefined,
  causeOf: (id: string) => string | null | undefined,
): string[] {
  const path: string[] = [];
  const seen = new Set<string>();
  let current: string | null | undefined = last;
  while (current !== undefined && current !== null && !seen.has(current)) {
    seen.add(current);
    path.push(current);
    current = causeOf(current);
  }
  return path.reverse();
}
