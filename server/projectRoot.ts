/**
 * The project's root directory (where package.json, .next and tasks/ live). Found by walking up from
 * this module, so it is the same whether the code runs from its TypeScript source (server/) or from the
 * compiled CLI bundle (dist/cli/<build>/).
 */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let cached: string | undefined;

export function projectRoot(): string {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('chordflow: cannot find the project directory (no package.json above)');
    dir = up;
  }
  cached = dir;
  return dir;
}
