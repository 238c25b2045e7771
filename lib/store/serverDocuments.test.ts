import { describe, expect, it } from 'vitest';
import { createServerRepository } from './serverDocuments';
import { tutorialCanvas } from './templates';

describe('server definitions repository', () => {
  it('lists, loads and saves project.NAME definitions through the REST API', async () => {
    const posted: unknown[] = [];
    const defs = [
      {
        fullname: 'demo.PIPELINE',
        canvas: {
          chain: [
            { task: 'add', args: [1, 2] },
            { task: 'mul', args: [3] },
          ],
        },
      },
    ];
    const repo = createServerRepository(async (url, init) => {
      expect(url).toBe('/api/definitions');
      if (init?.method === 'POST') {
        posted.push(JSON.parse(init.body ?? 'null'));
        return { ok: true, status: 201, json: async () => ({}) };
      }
      return { ok: true, status: 200, json: async () => defs };
    });
    expect(await repo.list()).toEqual([{ name: 'demo.PIPELINE', savedAt: 0 }]);
    const doc = await repo.load('demo.PIPELINE');
    expect(doc?.doc.canvas?.type).toBe('chain');
    expect(await repo.load('nope.NOPE')).toBeNull();
    const d = {
      canvas: tutorialCanvas(),
      invoke: { args: [], kwargs: {} },
      config: { task_allow_error_cb_on_chord_header: false },
      positions: {},
    };
    await repo.save({ name: 'team.TUTORIAL', savedAt: 1, doc: d });
    expect(posted).toHaveLength(1);
    expect(posted[0]).toMatchObject({
      project: 'team',
      name: 'TUTORIAL',
      canvas: { chain: [{ task: 'TASK_A' }, {}, {}] },
    });
    await expect(repo.save({ name: 'no dots', savedAt: 1, doc: d })).rejects.toThrow(/project\.NAME/);
  });

  it('turns an error answer into its sentence', async () => {
    const repo = createServerRepository(async () => ({
      ok: false,
      status: 503,
      json: async () => ({ error: 'Redis is not available.' }),
    }));
    await expect(repo.list()).rejects.toThrow('Redis is not available.');
  });
});
