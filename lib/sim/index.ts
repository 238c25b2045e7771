/** The simulator's public API. */
export { compareVariants, type MonteCarloOptions, type MonteCarloStats, monteCarlo } from './monteCarlo';
export { createRandom, type Random } from './prng';
export { isScenario, SCENARIOS, type ScenarioName } from './scenarios';
export {
  planForSimulation,
  SIM_DEFAULTS,
  type SimulateOptions,
  type SimulationResult,
  simulate,
  simulatePlan,
} from './simulate';
