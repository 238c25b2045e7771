/**
 * Python names of an exported module: identifiers for task functions (never a keyword or a name the
 * module itself uses) and the exception classes the module imports or defines.
 */
import { EXCEPTION_BASES } from '../exceptions';
import { getOwn } from '../ownKeys';

/** Python's keywords (a kwarg with such a name goes through `**{...}`). */
export const PY_KEYWORDS = new Set([
  'False',
  'None',
  'True',
  'and',
  'as',
  'assert',
  'async',
  'await',
  'break',
  'class',
  'continue',
  'def',
  'del',
  'elif',
  'else',
  'except',
  'finally',
  'for',
  'from',
  'global',
  'if',
  'import',
  'in',
  'is',
  'lambda',
  'nonlocal',
  'not',
  'or',
  'pass',
  'raise',
  'return',
  'try',
  'while',
  'with',
  'yield',
]);

export const PY_RESERVED = new Set([
  ...PY_KEYWORDS,
  // Names the module itself uses.
  'app',
  'chain',
  'chord',
  'group',
  'json',
  'os',
  'sys',
  'canvas',
  'Celery',
  'INVOKE_ARGS',
  'INVOKE_KWARGS',
  'builtins',
  'celery',
  'logging',
  'log',
  'socket',
  'time',
  'urllib',
  'ChordflowTask',
  'POLICY_KEYS',
  'AUTORETRY_KEYS',
  'MODEL_SERVICE_URL',
  'MODEL_TIMEOUT_S',
  'SCENARIO_CONFIG',
  'Ignore',
  'Retry',
  'get_exponential_backoff_interval',
  'chunks',
  'xmap',
  'xstarmap',
  // The module's helpers (python/runtime.ts): a task function of the same name would replace them.
  '_sleep_ms',
  '_observe',
  '_OK',
  '_scenario',
  '_call_model',
  '_requests',
  '_exception_class',
  '_overrides',
]);

export const CELERY_EXCEPTIONS = new Set([
  'SoftTimeLimitExceeded',
  'TimeLimitExceeded',
  'MaxRetriesExceededError',
  'ChordError',
  'Retry',
  'TaskError',
  'CeleryError',
  'ImproperlyConfigured',
  'WorkerLostError',
]);
export const REQUESTS_EXCEPTIONS = [
  'RequestException',
  'HTTPError',
  'Timeout',
  'ReadTimeout',
  'ConnectTimeout',
];
const PY_BUILTINS = new Set([
  'BaseException',
  'Exception',
  'ArithmeticError',
  'ZeroDivisionError',
  'LookupError',
  'KeyError',
  'IndexError',
  'TypeError',
  'ValueError',
  'RuntimeError',
  'NotImplementedError',
  'OSError',
  'TimeoutError',
  'ConnectionError',
]);

/** Python function names for task names (unique, valid identifiers). */
export function functionNames(names: string[]): Map<string, string> {
  const out = new Map<string, string>();
  const used = new Set<string>();
  const nextSuffix = new Map<string, number>();
  for (const name of names) {
    let base = name.replace(/[^A-Za-z0-9_]/g, '_');
    // Not starting with a digit, and never a dunder (`__name__`, `__builtins__` drive the module itself).
    if (!/^[A-Za-z_]/.test(base) || base.startsWith('__')) base = `task_${base}`;
    if (PY_RESERVED.has(base)) base = `${base}_task`;
    // Resume each base's suffix count where it stopped (many names may clean to the same base).
    let i = nextSuffix.get(base) ?? 2;
    let candidate = base;
    while (used.has(candidate)) candidate = `${base}_${i++}`;
    nextSuffix.set(base, i);
    used.add(candidate);
    out.set(name, candidate);
  }
  return out;
}

/**
 * Imports or definitions of the exception classes `names`: Celery's from celery.exceptions, requests'
 * from requests (or same-hierarchy shims when requests is missing), any other as a new class.
 */
export function exceptionBlock(names: Set<string>): string[] {
  const lines: string[] = [];
  const celery = [...names].filter((n) => CELERY_EXCEPTIONS.has(n)).sort();
  if (celery.length > 0) lines.push(`from celery.exceptions import ${celery.join(', ')}`, '');
  const requests = REQUESTS_EXCEPTIONS.filter((n) => names.has(n));
  if (requests.length > 0) {
    // Import the closure of bases so the fallback classes keep the hierarchy.
    const needed = REQUESTS_EXCEPTIONS.filter((n) => requests.some((r) => r === n || isBase(n, r)));
    lines.push(
      'try:',
      `    from requests.exceptions import ${needed.join(', ')}`,
      'except ImportError:  # same hierarchy without requests',
    );
    for (const n of needed)
      lines.push(`    class ${n}(${getOwn(EXCEPTION_BASES, n) ?? 'Exception'}):`, '        pass', '');
  }
  const own = [...names].filter(
    (n) => !CELERY_EXCEPTIONS.has(n) && !PY_BUILTINS.has(n) && !REQUESTS_EXCEPTIONS.includes(n),
  );
  for (const n of own.sort()) {
    const base = getOwn(EXCEPTION_BASES, n) ?? 'Exception';
    lines.push(`class ${n}(${base}):`, `    """Exception type named in the canvas (${n})."""`, '', '');
  }
  return lines;
}

function isBase(base: string, type: string): boolean {
  let current = getOwn(EXCEPTION_BASES, type);
  while (current) {
    if (current === base) return true;
    current = getOwn(EXCEPTION_BASES, current);
  }
  return false;
}
