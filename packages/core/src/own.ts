/**
 * Own-property helpers for maps built from untrusted keys: a key named `__proto__` (or
 * `constructor`) is set and read as an ordinary own property, so it round-trips and never changes
 * or reaches a prototype.
 */

/** `Object.hasOwn`, for maps built by {@link putOwn}. */
export const hasOwn = (obj: object, key: string): boolean => Object.prototype.hasOwnProperty.call(obj, key)

/** Sets `key` as an own, enumerable property (also when it is `__proto__`). */
export function putOwn<V>(obj: Record<string, V>, key: string, value: V): void {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true })
  else obj[key] = value
}
