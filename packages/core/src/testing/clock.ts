import type { Clock } from '../clock.js'

/**
 * A clock that moves only when told: tests advance it instead of sleeping.
 *
 * @example
 * const clock = new ManualClock(Date.UTC(2026, 0, 1))
 * clock.advance(200)
 */
export class ManualClock implements Clock {
  #now: number
  constructor(start = 0) {
    this.#now = start
  }
  now(): number {
    return this.#now
  }
  /** Moves the clock forward by `ms` (never backward). */
  advance(ms: number): this {
    if (!(ms >= 0)) throw new RangeError('a manual clock only moves forward')
    this.#now += ms
    return this
  }
  /** Sets the time (epoch milliseconds or a Date). */
  set(time: number | Date): this {
    this.#now = typeof time === 'number' ? time : time.getTime()
    return this
  }
}
