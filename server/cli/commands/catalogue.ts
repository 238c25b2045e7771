/**
 * The task catalogue of a CLI command: built-ins, tutorial tasks and the user's task modules from
 * `--tasks DIR`, else `CHORDFLOW_TASKS_DIR`, else `./tasks` (a missing directory means no user tasks).
 */
import { CatalogueError } from '@/lib/canvas/catalogue';
import { loadTaskRegistry, type TaskRegistry, tasksDirOf } from '../../tasks/registry';
import type { CliIO } from '../io';

/** Loads the registry; prints module problems as warnings; a name clash prints its sentence → null. */
export async function cliRegistry(
  command: string,
  flag: string | undefined,
  io: CliIO,
): Promise<TaskRegistry | null> {
  try {
    const registry = await loadTaskRegistry(tasksDirOf(flag));
    for (const p of registry.problems) io.err(`chordflow ${command}: warning: ${p}\n`);
    return registry;
  } catch (err) {
    if (err instanceof CatalogueError) {
      io.err(
        `chordflow ${command}: the tasks directory cannot be used:\n${err.problems.map((p) => `  ${p}`).join('\n')}\n`,
      );
      return null;
    }
    throw err;
  }
}
