/** Where features read the time from. Inject a manual clock in tests (`@sluice/core/testing`). */
export interface Clock {
  /** Milliseconds since the Unix epoch. */
  now(): number
}

/** The wall clock. */
export const systemClock: Clock = { now: () => Date.now() }
