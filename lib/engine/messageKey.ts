/**
 * Message keys (the deterministic ids the cluster's jobs and barrier entries are named by) are built from
 * run ids, canvas paths and task ids a user wrote: `escapeKey` keeps them in a safe alphabet.
 */

const KEY_SAFE = /^[A-Za-z0-9_.-]*$/;

/**
 * Escapes text for a message key: `[A-Za-z0-9_.-]` stay (`.` too unless `dots` is false), any other
 * UTF-16 code unit becomes `~hhhh`. Suffixes the core appends (`~r<n>`, `~a<i>`) cannot be produced by
 * escaping, so keys never collide.
 */
export function escapeKey(text: string, dots = true): string {
  if (dots && KEY_SAFE.test(text)) return text;
  const re = dots ? /[^A-Za-z0-9_.-]/g : /[^A-Za-z0-9_-]/g;
  return text.replace(re, (ch) => `~${ch.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
