/**
 * Plain objects that must carry user text as keys (JSON values: kwargs, payloads) — where a Map cannot
 * be used because the value is JSON. `obj[key] = v` with key `__proto__` would set the prototype instead
 * of a property, and `obj[key]` with key `toString` would read Object.prototype; these two never do.
 */

/** Sets own property `key` (also when `key` is `__proto__`). */
export function putOwn<T>(obj: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') {
    Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  } else obj[key] = value;
}

/** The own property `key`, or undefined (never an inherited member such as `constructor`). */
export function getOwn<T>(obj: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(obj, key) ? obj[key] : undefined;
}
