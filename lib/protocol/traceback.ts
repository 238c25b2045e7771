/**
 * The traceback text a failed task shows: the interpreter's own when it recorded one, else Celery's
 * shape built from the task and its exception. The API (`result.traceback`) and the task drawer both
 * use this, so a person sees the same text in both places.
 */
import type { TaskError } from './events';

/** `Traceback (most recent call last):\n  Task <name>[<id>]\n<Type>: <message>` unless `error` has its own. */
export function tracebackText(name: string, taskId: string, error: TaskError): string {
  return (
    error.traceback ??
    `Traceback (most recent call last):\n  Task ${name}[${taskId}]\n${error.type}: ${error.message}`
  );
}
