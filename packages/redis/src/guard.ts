/**
 * The connection guard every Redis store shares: a bounded wait for each command, a circuit
 * breaker that stops calling a Redis that does not answer, and probes for its return.
 *
 * - A command is sent only while the client is `ready`: nothing ever waits in an offline queue,
 *   whatever the client's own `enableOfflineQueue` setting.
 * - Every command settles within `timeoutMs` (one timer for all commands in flight: deadlines are
 *   in sending order, so a FIFO queue is enough).
 * - `failures` consecutive failures open the breaker; while open no command is sent, and a `PING`
 *   probe every `probeIntervalMs` closes it again once Redis answers.
 */
import type { RedisLike } from './client.js'

/** Why a command did not get an answer. */
export class RedisUnavailable extends Error {
  override readonly name = 'RedisUnavailable'
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options)
  }
}

export interface GuardOptions {
  readonly timeoutMs: number
  readonly failures: number
  readonly probeIntervalMs: number
  readonly onError: ((error: unknown, operation: string) => void) | undefined
}

interface Pending {
  readonly deadline: number
  settled: boolean
  readonly fail: (error: Error) => void
}

const noop = (): void => undefined

export class Guard {
  readonly #client: RedisLike
  readonly #options: GuardOptions
  readonly #pending: Pending[] = []
  #head = 0
  #timer: NodeJS.Timeout | undefined
  #consecutive = 0
  #open = false
  #probe: NodeJS.Timeout | undefined
  #probing = false
  #closed = false
  #connectAsked = false
  /** Epoch ms (local) the breaker last opened, for `Retry-After`. */
  #openedAt = 0
  /** Decisions answered by Redis / by the failure policy since start (for tests and metrics). */
  readonly stats = { calls: 0, failures: 0, timeouts: 0, breakerOpened: 0, breakerClosed: 0 }

  constructor(client: RedisLike, options: GuardOptions) {
    this.#client = client
    this.#options = options
  }

  /** True when a command may be sent now: the breaker is closed and the client is connected. */
  get available(): boolean {
    if (this.#open || this.#closed) return false
    const status = this.#client.status
    if (status === 'ready') return true
    if (status === 'wait' && !this.#connectAsked) {
      // a lazily connecting client: start connecting; until it is ready, the failure policy answers
      this.#connectAsked = true
      this.#client.connect().catch(noop)
    }
    return false
  }

  /** Whether the breaker is open (Redis considered down). */
  get breakerOpen(): boolean {
    return this.#open
  }

  /** Seconds a client should wait before retrying while Redis is unavailable. */
  retryAfterSeconds(): number {
    return Math.max(1, Math.ceil(this.#options.probeIntervalMs / 1000))
  }

  /**
   * Runs one command with the bounded wait. Rejects with {@link RedisUnavailable} when the client
   * is not ready, the breaker is open, or no answer came in time; other errors pass through (and
   * count as failures too).
   */
  call<T>(operation: string, send: () => Promise<T>, timeoutMs?: number): Promise<T> {
    if (!this.available) return Promise.reject(new RedisUnavailable(this.#open ? 'circuit breaker open' : `redis client is ${this.#client.status}`))
    this.stats.calls++
    return new Promise<T>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined
      const entry: Pending = {
        deadline: Date.now() + this.#options.timeoutMs,
        settled: false,
        fail: (error) => {
          if (entry.settled) return
          entry.settled = true
          this.stats.timeouts++
          this.#failed(error, operation)
          reject(error)
        },
      }
      if (timeoutMs === undefined) {
        this.#pending.push(entry)
        if (this.#timer === undefined) this.#arm(this.#options.timeoutMs)
      } else {
        // a longer wait than requests get (administrative calls): its own timer
        timer = setTimeout(() => entry.fail(new RedisUnavailable(`no answer from redis within ${timeoutMs} ms`)), timeoutMs)
        timer.unref()
      }
      let sent: Promise<T>
      try {
        sent = send()
      } catch (e) {
        sent = Promise.reject(e instanceof Error ? e : new Error(String(e)))
      }
      sent.then(
        (value) => {
          if (timer !== undefined) clearTimeout(timer)
          if (entry.settled) return
          entry.settled = true
          this.#consecutive = 0
          resolve(value)
        },
        (error: unknown) => {
          if (timer !== undefined) clearTimeout(timer)
          if (entry.settled) return
          entry.settled = true
          this.#failed(error, operation)
          reject(error instanceof Error ? error : new Error(String(error)))
        },
      )
    })
  }

  /** Stops the timers (the client is the caller's to close). */
  stop(): void {
    this.#closed = true
    if (this.#timer !== undefined) clearTimeout(this.#timer)
    if (this.#probe !== undefined) clearTimeout(this.#probe)
    this.#timer = undefined
    this.#probe = undefined
    for (let i = this.#head; i < this.#pending.length; i++) this.#pending[i]?.fail(new RedisUnavailable('store closed'))
    this.#pending.length = 0
    this.#head = 0
  }

  #arm(ms: number): void {
    this.#timer = setTimeout(() => this.#sweep(), Math.max(1, ms))
    this.#timer.unref()
  }

  #sweep(): void {
    this.#timer = undefined
    const now = Date.now()
    const q = this.#pending
    while (this.#head < q.length) {
      const e = q[this.#head] as Pending
      if (e.settled) {
        this.#head++
        continue
      }
      if (e.deadline > now) break
      this.#head++
      e.fail(new RedisUnavailable(`no answer from redis within ${this.#options.timeoutMs} ms`))
    }
    if (this.#head > 1024 && this.#head * 2 > q.length) {
      q.splice(0, this.#head)
      this.#head = 0
    }
    // the next unsettled deadline (settled entries are skipped on the next sweep)
    for (let i = this.#head; i < q.length; i++) {
      const e = q[i] as Pending
      if (!e.settled) {
        this.#arm(e.deadline - now)
        return
      }
    }
    q.length = 0
    this.#head = 0
  }

  #failed(error: unknown, operation: string): void {
    this.stats.failures++
    try {
      this.#options.onError?.(error, operation)
    } catch {
      // a failing error hook must not take the request with it
    }
    if (++this.#consecutive >= this.#options.failures && !this.#open) this.#trip()
  }

  #trip(): void {
    this.#open = true
    this.#openedAt = Date.now()
    this.stats.breakerOpened++
    this.#scheduleProbe()
  }

  #scheduleProbe(): void {
    if (this.#closed || this.#probe !== undefined) return
    this.#probe = setTimeout(() => {
      this.#probe = undefined
      this.#runProbe()
    }, this.#options.probeIntervalMs)
    this.#probe.unref()
  }

  #runProbe(): void {
    if (this.#closed || this.#probing) return
    if (this.#client.status !== 'ready') {
      this.#scheduleProbe()
      return
    }
    this.#probing = true
    let done = false
    const timer = setTimeout(() => finish(false), this.#options.timeoutMs)
    timer.unref()
    const finish = (ok: boolean): void => {
      if (done) return
      done = true
      clearTimeout(timer)
      this.#probing = false
      if (ok && !this.#closed) {
        this.#open = false
        this.#consecutive = 0
        this.stats.breakerClosed++
      } else this.#scheduleProbe()
    }
    this.#client.ping().then(
      () => finish(true),
      () => finish(false),
    )
  }

  /** For tests: when the breaker last opened (local epoch ms). */
  get openedAt(): number {
    return this.#openedAt
  }
}
