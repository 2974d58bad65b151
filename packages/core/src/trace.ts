/** One decision in an exchange's trace. */
export interface TraceEntry {
  /** The feature that decided, e.g. `apiKey`. */
  readonly feature: string
  /**
   * `allow`: let through; `deny`: answered with a gateway response; `respond`: answered from a
   * feature's own data (a cache hit); `skip`: the feature did not apply; `error`: failed.
   */
  readonly decision: 'allow' | 'deny' | 'respond' | 'error' | 'skip'
  /** A short machine-readable reason, e.g. `missing`, `unknown`, `disabled`. */
  readonly reason?: string
  /** Feature-specific detail (never secrets: API key values are not traced). */
  readonly detail?: Readonly<Record<string, unknown>>
}
