/**
 * The semantic core's public API (see CONTEXT.md): plan a run, then drive it with the transitions.
 */

export { barrierInputs, onBarrierReleased, onBarrierReleasedInto } from './barrier';
export {
  attemptOf,
  EXPIRED,
  isExpired,
  onAttemptFinished,
  onAttemptFinishedInto,
  onAttemptStarted,
  startedEvent,
  startRun,
  startRunInto,
  taskRequest,
  timeLimitOutcome,
} from './core';
export { escapeKey } from './messageKey';
export { PlanError, planNormalized, planRun } from './plan';
export { exceptionMessage, exceptionRepr, pyException, pyRepr } from './python';
export { resolveOptions } from './resolveOptions';
export { backoffSeconds } from './retry';
export { StepCollector, type StepOut } from './stepOut';
export { executeTask, hasImplementation } from './tasks';
export { mockResult, modelRequestFrom, modelServiceCall } from './tasks/modelService';
export { modelRequestId, SCENARIO_CONFIG, TUTORIAL_SCENARIOS } from './tasks/tutorial';
export type * from './types';
