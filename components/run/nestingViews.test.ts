/**
 * A canvas Celery's composition nests past COMPOSED_DEPTH_CEILING (a long chain of groups: each group
 * followed by more steps becomes a chord holding the rest) makes `normalizeCanvas` throw NestingError.
 * The views that normalize a canvas they are given say that sentence instead of throwing while rendering.
 */
import { describe, expect, it } from 'vitest';
import { canvasFile, chain, group, task } from '@/lib/canvas/build';
import type { CanvasNode } from '@/lib/canvas/model';
import { NestingError, normalizeFileOrProblem } from '@/lib/canvas/normalize';
import { COMPOSED_DEPTH_CEILING } from '@/lib/canvas/pipeFold';
import { runPathMap } from '../sim/model/pathMap';
import { retryPreviewOf } from './retryFromFailed';
import { layoutRunGraph } from './runGraphLayout';

function groupsChain(groups: number) {
  const steps: CanvasNode[] = [];
  for (let i = 0; i < groups; i++) steps.push(group(task('add', [i, 1]), task('add', [i, 2])), task('xsum'));
  return canvasFile(chain(...steps));
}

const deep = groupsChain(COMPOSED_DEPTH_CEILING + 10);
const shallow = groupsChain(3);

describe('views of a canvas nested past the composition ceiling', () => {
  it('normalizeFileOrProblem gives the NestingError sentence, and the tree of a shallow canvas', () => {
    const r = normalizeFileOrProblem(deep);
    expect(r.root).toBeUndefined();
    expect(r.problem).toBe(new NestingError().message);
    expect(normalizeFileOrProblem(shallow).root?.type).toBe('chain');
  });

  it('the run graph draws nothing and says why', () => {
    const layout = layoutRunGraph(deep);
    expect(layout.problem).toMatch(/nests this canvas more than 1000 levels deep/);
    expect(layout.tasks).toHaveLength(0);
    const ok = layoutRunGraph(shallow);
    expect(ok.problem).toBeUndefined();
    expect(ok.tasks.length).toBeGreaterThan(0);
  });

  it('retry from failed answers the sentence instead of a preview', () => {
    const r = retryPreviewOf(deep, new Map());
    expect('problem' in r && r.problem).toMatch(/split it into smaller canvases/);
    const ok = retryPreviewOf(shallow, new Map());
    expect('rerun' in ok && ok.rerun.length).toBe(9);
  });

  it('the run path map still throws NestingError (its callers catch it: safePathMap)', () => {
    expect(() => runPathMap(deep)).toThrow(NestingError);
  });
});
