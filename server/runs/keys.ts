/**
 * The Redis key scheme. Every key shares one hash tag (the prefix, `{chordflow}` by default) so a run's
 * keys and its BullMQ queues live in one slot of a Redis Cluster.
 *
 *   <p>:run:<id>          hash   run record (id, name, project, status, payload, canvas, plan, created, updated)
 *   <p>:run:<id>:events   list   event log; the event at index i has seq i+1 (RPUSH is atomic, so no gaps)
 *   <p>:run:<id>:tasks    hash   task_id → task state JSON (barrier release lookups, director task list)
 *   <p>:run:<id>:progress hash   `<barrier key>|d` header reports done, `<barrier key>|g` add_to_chord growth
 *   <p>:run:<id>:cancel   string set when the run was canceled (workers skip its jobs)
 *   <p>:runs              zset   run ids scored by creation time (ms)
 *   <p>:definitions       hash   fullname → saved definition JSON
 *   <p>:queues            set    named task queues runs have sent to (other than the default), for /metrics
 *   <p>:workers           zset   worker name → last heartbeat (ms)
 *   <p>:workers:info      hash   worker name → heartbeat JSON (host, pid, queues, concurrency, active tasks)
 *   <p>:events            channel  {"run_id","first_seq","events":[…]} after each append
 *   <p>:cancel            channel  run id of a canceled run (workers abort its running tasks)
 *   BullMQ queues use the same prefix: <p>:tasks (default task queue), <p>:task.<queue>, <p>:barriers.
 * The run store's batch scripts (storeScripts.ts: FLUSH_LUA, CREATE_RUNS_LUA) get `<p>:run:` and derive a
 * run's keys from it as spelled here (same hash tag, so still one Cluster slot): change both together.
 */
export interface Keys {
  prefix: string;
  run(id: string): string;
  events(id: string): string;
  tasks(id: string): string;
  progress(id: string): string;
  cancel(id: string): string;
  runs: string;
  definitions: string;
  queues: string;
  workers: string;
  workerInfo: string;
  eventsChannel: string;
  cancelChannel: string;
}

export function keysFor(prefix: string): Keys {
  return {
    prefix,
    run: (id) => `${prefix}:run:${id}`,
    events: (id) => `${prefix}:run:${id}:events`,
    tasks: (id) => `${prefix}:run:${id}:tasks`,
    progress: (id) => `${prefix}:run:${id}:progress`,
    cancel: (id) => `${prefix}:run:${id}:cancel`,
    runs: `${prefix}:runs`,
    definitions: `${prefix}:definitions`,
    queues: `${prefix}:queues`,
    workers: `${prefix}:workers`,
    workerInfo: `${prefix}:workers:info`,
    eventsChannel: `${prefix}:events`,
    cancelChannel: `${prefix}:cancel`,
  };
}

/** Run ids become BullMQ job id parts: no `:`, not all digits, short and URL-safe. */
export const RUN_ID_PATTERN = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}$/;

export function isValidRunId(id: string): boolean {
  return RUN_ID_PATTERN.test(id) && !/^\d+$/.test(id);
}
