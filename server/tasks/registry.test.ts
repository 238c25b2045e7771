import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CatalogueError } from '@/lib/canvas/catalogue';
import { loadTaskRegistry, runUserTask } from './registry';

const dirs: string[] = [];
function tasksDir(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'cf-tasks-'));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const ctx = { task_id: 't', run_id: 'r', retries: 0, signal: new AbortController().signal };

describe('loadTaskRegistry', () => {
  it('loads one or several tasks per module, subfolders as module paths', async () => {
    const dir = tasksDir({
      'success.js': `export default [
        { name: 'S_A', params: ['x'], run: () => 'a' },
        { name: 'S_B', defaults: { queue: 'q2' }, sim: { duration_ms: 40 }, run: async () => 'b' },
      ];`,
      'billing/invoices.mjs': `export const task = { name: 'INVOICE', run: () => 1 };`,
      'broken.js': 'export default {',
      'empty.js': 'export const x = 1;',
    });
    const r = await loadTaskRegistry(dir);
    expect(r.catalogue.get('S_A')).toMatchObject({ source: 'user', module: 'success' });
    expect(r.catalogue.get('S_B')).toMatchObject({
      defaults: { queue: 'q2' },
      duration_ms: { dist: 'fixed', ms: 40 },
    });
    expect(r.catalogue.get('INVOICE')?.module).toBe('billing/invoices');
    expect(r.catalogue.get('add')?.source).toBe('builtin');
    expect(r.problems.join('\n')).toMatch(/broken\.js could not be loaded/);
    expect(r.problems.join('\n')).toMatch(/empty\.js exports no task/);
    expect(await runUserTask(r.userTasks.get('S_B')!, [], {}, ctx)).toEqual({
      kind: 'success',
      value: 'b',
    });
  });

  it('refuses a task named like a built-in or another module’s, unless it overrides', async () => {
    const clash = tasksDir({ 'mine.js': `export default { name: 'TASK_A', run: () => 'mine' };` });
    await expect(loadTaskRegistry(clash)).rejects.toThrow(CatalogueError);
    await expect(loadTaskRegistry(clash)).rejects.toThrow(/Task "TASK_A" from module "mine" clashes/);
    const twice = tasksDir({
      'a.js': `export default { name: 'T', run: () => 1 };`,
      'b.js': `export default { name: 'T', run: () => 2 };`,
    });
    await expect(loadTaskRegistry(twice)).rejects.toThrow(/from module "b" clashes with .* module "a"/);
    const override = tasksDir({
      'mine.js': `export default { name: 'TASK_A', override: true, run: () => 'mine' };`,
    });
    const r = await loadTaskRegistry(override);
    expect(r.catalogue.get('TASK_A')).toMatchObject({ source: 'user', override: true });
    expect(r.userTasks.get('TASK_A')).toBeDefined();
  });

  it('treats a missing directory as no user tasks', async () => {
    const r = await loadTaskRegistry(join(tmpdir(), 'no-such-chordflow-dir'));
    expect([...r.catalogue.values()].every((e) => e.source !== 'user')).toBe(true);
    expect(r.problems).toEqual([]);
  });
});

describe('the documented example tasks', () => {
  it('sha256_rounds hashes (CPU-bound) and stops when aborted', async () => {
    const r = await loadTaskRegistry('examples/tasks');
    const task = r.userTasks.get('sha256_rounds')!;
    expect(r.catalogue.get('sha256_rounds')?.defaults.queue).toBe('cpu');
    const out = await runUserTask(task, ['abc', 2], {}, ctx);
    // sha256(sha256("abc")) — the digest of the digest bytes.
    expect(out).toEqual({
      kind: 'success',
      value: '4f8b42c22dd3729b519ba6f68d2da7cc5b2d606d05daed5ad5128cc03e6c6358',
    });
    const ac = new AbortController();
    ac.abort('canceled');
    const aborted = await runUserTask(task, ['abc', 100], {}, { ...ctx, signal: ac.signal });
    expect(aborted.kind).toBe('error');
  });

  it('http_get_json: 5xx → RequestException (retried by autoretry_for), 4xx → no retry, 200 → JSON', async () => {
    let calls = 0;
    const server = createServer((req, res) => {
      calls += 1;
      const status = req.url === '/missing' ? 404 : calls <= 2 ? 503 : 200;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ ok: status === 200 }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as { port: number }).port;
    try {
      const r = await loadTaskRegistry('examples/tasks');
      const task = r.userTasks.get('http_get_json')!;
      expect(r.catalogue.get('http_get_json')?.defaults.autoretry_for).toEqual(['RequestException']);
      const url = `http://127.0.0.1:${port}/data`;
      const first = await runUserTask(task, [url], {}, ctx);
      expect(first).toMatchObject({ kind: 'error', error: { type: 'RequestException' } });
      await runUserTask(task, [url], {}, ctx);
      expect(await runUserTask(task, [url], {}, ctx)).toEqual({ kind: 'success', value: { ok: true } });
      const missing = await runUserTask(task, [`http://127.0.0.1:${port}/missing`], {}, ctx);
      expect(missing).toMatchObject({ kind: 'error', error: { type: 'HTTPClientError' } });
    } finally {
      server.close();
    }
  });
});
