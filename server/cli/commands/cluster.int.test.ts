/** `chordflow run`, `chordflow worker` and `chordflow serve --no-web` as a person uses them. */
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../../tests/support/redisServer';
import { testRedisUrl } from '../../../tests/support/testRedisUrl';
import { spawnWorker, type WorkerProcess } from '../../../tests/support/workerProcess';

const bin = fileURLToPath(new URL('../../../bin/chordflow.js', import.meta.url));
const env = { REDIS_URL: '', CHORDFLOW_PREFIX: '{cfcli}', CHORDFLOW_TASKS_DIR: './tasks', LOG_LEVEL: 'warn' };
let worker: WorkerProcess;
const dir = mkdtempSync(join(tmpdir(), 'chordflow-cli-'));

function cli(
  args: string[],
  extraEnv: Record<string, string> = {},
): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], {
      env: { ...process.env, ...env, REDIS_URL: testRedisUrl(), ...extraEnv },
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.on('exit', (code) => resolve({ code, out, err }));
  });
}

/** The command lines (argv) of the processes whose parent is `pid` (Linux /proc). */
function childCommandLines(pid: number): string[][] {
  const out: string[][] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // `pid (comm) state ppid …`: comm may hold spaces, so read after its closing parenthesis.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid) out.push(readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0'));
    } catch {
      // Exited meanwhile.
    }
  }
  return out;
}

beforeAll(async () => {
  worker = await spawnWorker({ ...env, REDIS_URL: testRedisUrl() }, ['--concurrency', '4']);
});
afterAll(() => worker.kill('SIGTERM'));

describe('chordflow CLI against the cluster', () => {
  it('run --wait --json prints the run report and exits 0 on success', async () => {
    const file = join(dir, 'ok.json');
    writeFileSync(
      file,
      JSON.stringify({ chain: [{ task: 'add', args: [2, 3] }, { task: 'example_upper_len' }] }),
    );
    const unknown = await cli(['run', file, '--wait', '--json']);
    expect(unknown.code).toBe(1);
    expect(unknown.err).toMatch(/Unknown task "example_upper_len"/);
    writeFileSync(
      file,
      JSON.stringify({ chain: [{ task: 'identity', args: ['ab'] }, { task: 'example_upper' }] }),
    );
    const r = await cli(['run', file, '--wait', '--json']);
    expect(r.code, r.err).toBe(0);
    const report = JSON.parse(r.out) as { status: string; result: unknown; tasks: unknown[] };
    expect(report).toMatchObject({ status: 'success', result: 'AB' });
    expect(report.tasks).toHaveLength(2);
  });

  it('run --wait exits 1 when the run fails; bad files give a sentence', async () => {
    const file = join(dir, 'fail.json');
    writeFileSync(file, JSON.stringify({ task: 'fail', args: [1] }));
    const r = await cli(['run', file, '--wait', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.out)).toMatchObject({ status: 'failure', error: { type: 'ExpectedException' } });
    const missing = await cli(['run', join(dir, 'nope.json')]);
    expect(missing.code).toBe(1);
    expect(missing.err).toMatch(/cannot read/);
    const noRedis = await cli(['run', file], { REDIS_URL: 'redis://127.0.0.1:1' });
    expect(noRedis.err).toMatch(/does not answer/);
  });

  it('serve --no-web answers the API and shuts down gracefully on SIGTERM', async () => {
    // Free ports: other test runs may share this machine.
    const port = await freePort();
    const modelPort = await freePort();
    const child = spawn(
      process.execPath,
      [bin, 'serve', '--no-web', '--port', String(port), '--workers', '1'],
      {
        env: { ...process.env, ...env, REDIS_URL: testRedisUrl(), MODEL_SERVICE_PORT: String(modelPort) },
      },
    );
    let out = '';
    let errOut = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (errOut += c.toString()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`serve did not start: ${out}${errOut}`)), 60_000);
      child.stdout.on('data', () => {
        if (out.includes('Chordflow is up')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    const health = (await (await fetch(`http://127.0.0.1:${port}/api/health`)).json()) as Record<
      string,
      unknown
    >;
    expect(health).toMatchObject({ status: 'ok', redis: 'ok', model_service: 'ok' });
    // Its worker process runs with the worker's V8 options (a larger young generation).
    const workerArgs = childCommandLines(child.pid ?? 0).find((a) => a.includes('worker'));
    expect(workerArgs).toContain('--max-semi-space-size=64');
    const created = await fetch(`http://127.0.0.1:${port}/api/workflows`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        project: 'demo',
        name: 'PIPELINE',
        payload: { raw: 'hi there', scenario: 'happy' },
      }),
    });
    expect(created.status).toBe(201);
    // Ad-hoc canvases are planned and stored, and runs read back, on serve's run thread.
    const base = `http://127.0.0.1:${port}/api/workflows`;
    // So are runs of a definition, and their relaunch: the definition runs again with the same payload.
    const first = (await created.json()) as { id: string };
    const rerun = await fetch(`${base}/${first.id}/relaunch`, { method: 'POST' });
    expect(rerun.status).toBe(201);
    const rerunBody = (await rerun.json()) as { id: string; name: string; project: string; payload: unknown };
    expect(rerunBody).toMatchObject({
      name: 'PIPELINE',
      project: 'demo',
      payload: { raw: 'hi there', scenario: 'happy' },
    });
    expect(rerunBody.id).not.toBe(first.id);
    const taskKeys = async (id: string) =>
      ((await (await fetch(`${base}/${id}`)).json()) as { tasks: Array<{ key: string }> }).tasks.map(
        (t) => t.key,
      );
    expect(await taskKeys(rerunBody.id)).toEqual(await taskKeys(first.id));
    const adhoc = await fetch(base, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        canvas: {
          chain: [
            { task: 'add', args: [1, 2] },
            { task: 'mul', args: [10] },
          ],
        },
        target: 'cluster',
      }),
    });
    expect(adhoc.status).toBe(201);
    const { id, status } = (await adhoc.json()) as { id: string; status: string };
    expect(status).toBe('pending');
    let detail: { status: string; tasks: Array<{ path: string; result: unknown; previous: string[] }> };
    for (;;) {
      detail = (await (await fetch(`${base}/${id}`)).json()) as typeof detail;
      if (detail.status !== 'pending' && detail.status !== 'progress') break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(detail.status).toBe('success');
    expect(detail.tasks.map((t) => t.result)).toEqual([3, 30]);
    expect(detail.tasks[1]?.previous).toHaveLength(1);
    const report = (await (await fetch(`${base}/${id}/report`)).json()) as { result: unknown };
    expect(report.result).toBe(30);
    // Relaunch and cancel of an ad-hoc run go through the thread too.
    const post = (path: string) => fetch(`${base}/${path}`, { method: 'POST' });
    const again = await post(`${id}/relaunch`);
    expect(again.status).toBe(201);
    const relaunched = (await again.json()) as { id: string; name: string };
    expect(relaunched).toMatchObject({ name: 'adhoc' });
    expect(relaunched.id).not.toBe(id);
    const canceled = await post(`${relaunched.id}/cancel`);
    expect(canceled.status).toBe(201);
    expect(((await canceled.json()) as { status: string }).status).toBe('canceled');
    // The thread's answers to bad bodies are the web process's: a status and a sentence.
    const bad = async (body: string) => {
      const r = await fetch(base, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
      return { status: r.status, error: ((await r.json()) as { error: string }).error };
    };
    expect(await bad('{"canvas": ')).toMatchObject({
      status: 400,
      error: expect.stringMatching(/not valid JSON/),
    });
    expect(await bad('[1]')).toMatchObject({
      status: 400,
      error: expect.stringMatching(/must be a JSON object/),
    });
    expect(await bad('{"canvas": {"task": "add"}, "nme": "x"}')).toEqual({
      status: 400,
      error: 'Unknown field "nme".',
    });
    expect(await bad('{"canvas": {"task": "nope"}}')).toMatchObject({ status: 400 });
    expect((await fetch(`${base}/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}`)).status).toBe(404);
    expect((await fetch(`${base}/${'0'.repeat(8)}-0000-4000-8000-${'0'.repeat(12)}/report`)).status).toBe(
      404,
    );
    const code = await new Promise<number | null>((resolve) => {
      child.once('exit', (c) => resolve(c));
      child.kill('SIGTERM');
    });
    expect(code).toBe(0);
  }, 60_000);
});
