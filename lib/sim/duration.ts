/** Sampling a `DurationModel` (milliseconds) from the simulator's seeded PRNG. */
import type { DurationModel } from '../canvas/model';
import type { Random } from './prng';

/** One sample, never negative. */
export function sampleDuration(model: DurationModel | undefined, random: Random): number {
  if (model === undefined) return 0;
  if (typeof model === 'number') return Math.max(0, model);
  switch (model.dist) {
    case 'fixed':
      return Math.max(0, model.ms);
    case 'uniform':
      return Math.max(0, model.min_ms + random() * (model.max_ms - model.min_ms));
    case 'normal': {
      // Box–Muller; 1 - u keeps the log finite.
      const u = 1 - random();
      const v = random();
      return Math.max(
        0,
        model.mean_ms + model.sd_ms * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v),
      );
    }
    case 'exponential':
      return -model.mean_ms * Math.log(1 - random());
  }
}
