/**
 * Example user task: `example_upper(text)` → the text upper-cased. Every module in the tasks directory
 * (`CHORDFLOW_TASKS_DIR`, default `./tasks`) exports one task like this one; the workers and the API
 * register it by `name`, with `defaults` as its retry policy (Celery task options, seconds).
 */
import type { UserTaskModule } from '../server/tasks/registry';

const task: UserTaskModule = {
  name: 'example_upper',
  description: 'example_upper(text) → text upper-cased',
  params: ['text'],
  defaults: { max_retries: 3, retry_backoff: 1, autoretry_for: ['ValueError'] },
  run(args) {
    const [text] = args;
    if (typeof text !== 'string') {
      const err = new Error(`example_upper expects a string, got ${JSON.stringify(text)}`);
      err.name = 'TypeError';
      throw err;
    }
    return text.toUpperCase();
  },
};

export default task;
