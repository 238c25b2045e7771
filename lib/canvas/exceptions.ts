/**
 * A small exception class hierarchy, so `autoretry_for` matches by class like Python's `isinstance`
 * (an `HTTPError` is a `RequestException`, everything is an `Exception`). Names are plain class names.
 */

/** Each known exception type and its direct base class (`null` for the root). */
export const EXCEPTION_BASES: Readonly<Record<string, string | null>> = {
  BaseException: null,
  Exception: 'BaseException',
  // Python built-ins used by the built-in tasks.
  ArithmeticError: 'Exception',
  ZeroDivisionError: 'ArithmeticError',
  LookupError: 'Exception',
  KeyError: 'LookupError',
  IndexError: 'LookupError',
  TypeError: 'Exception',
  ValueError: 'Exception',
  RuntimeError: 'Exception',
  NotImplementedError: 'RuntimeError',
  OSError: 'Exception',
  TimeoutError: 'OSError',
  // Celery's.
  ExpectedException: 'Exception',
  CeleryError: 'Exception',
  TaskError: 'CeleryError',
  ChordError: 'TaskError',
  MaxRetriesExceededError: 'TaskError',
  ImproperlyConfigured: 'Exception',
  Retry: 'TaskError',
  SoftTimeLimitExceeded: 'Exception',
  TimeLimitExceeded: 'Exception',
  WorkerLostError: 'Exception',
  // requests' (the tutorial's model service calls).
  RequestException: 'OSError',
  HTTPError: 'RequestException',
  Timeout: 'RequestException',
  ReadTimeout: 'Timeout',
  // requests.exceptions.ConnectionError (what a refused connection raises in the tutorial's tasks); it also
  // stands for Python's built-in ConnectionError, which is an OSError too, so the one name serves both.
  ConnectionError: 'RequestException',
  ConnectTimeout: 'Timeout',
};

/** True when `name` is a known exception type. */
export function isKnownException(name: string): boolean {
  return Object.hasOwn(EXCEPTION_BASES, name);
}

/** All known exception type names. */
export function knownExceptionNames(): string[] {
  return Object.keys(EXCEPTION_BASES);
}

/**
 * Python `isinstance` over type names: true when `type` is `base` or derives from it. Unknown types are
 * treated as direct subclasses of `Exception` (a user task may raise anything).
 */
export function isInstanceOf(type: string, base: string): boolean {
  if (type === base) return true;
  let current: string | null | undefined = isKnownException(type) ? EXCEPTION_BASES[type] : 'Exception';
  const seen = new Set<string>();
  while (current !== null && current !== undefined && !seen.has(current)) {
    if (current === base) return true;
    seen.add(current);
    current = Object.hasOwn(EXCEPTION_BASES, current) ? EXCEPTION_BASES[current] : undefined;
  }
  return false;
}

/** True when an exception of type `type` matches any of `bases` (Celery `autoretry_for`). */
export function matchesAny(type: string, bases: readonly string[]): boolean {
  return bases.some((base) => isInstanceOf(type, base));
}
