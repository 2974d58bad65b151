/**
 * Checks a recorded timeline of decisions on one token bucket against the exact arithmetic: per
 * key, in time order, the requests of each millisecond admit exactly as many as the bucket holds
 * whole tokens (and never more than asked). Order within one millisecond does not matter: refill
 * depends only on the time.
 */
export interface Decision {
  key: number
  at: number
  allowed: boolean
}

export interface TimelineReport {
  /** Milliseconds whose admitted count differs from the exact bucket's. */
  violations: Array<{ key: number; at: number; admitted: number; expected: number }>
  admitted: number
  requests: number
  /** Σ over keys of burst + rate × (last − first decision time): the most any exact bucket admits. */
  allowance: number
}

const TOKEN = 1_000_000

export function checkTimeline(records: readonly Decision[], spec: { perMs: number; capacity: number }): TimelineReport {
  const byKey = new Map<number, Decision[]>()
  for (const r of records) {
    let list = byKey.get(r.key)
    if (!list) byKey.set(r.key, (list = []))
    list.push(r)
  }
  const report: TimelineReport = { violations: [], admitted: 0, requests: records.length, allowance: 0 }
  for (const [key, list] of byKey) {
    list.sort((a, b) => a.at - b.at)
    let tokens = spec.capacity
    let last = (list[0] as Decision).at
    report.allowance += spec.capacity / TOKEN + Math.floor(((list.at(-1) as Decision).at - last) * spec.perMs / TOKEN)
    for (let i = 0; i < list.length; ) {
      const at = (list[i] as Decision).at
      let n = 0
      let admitted = 0
      while (i < list.length && (list[i] as Decision).at === at) {
        n++
        if ((list[i] as Decision).allowed) admitted++
        i++
      }
      if (at > last) {
        const missing = spec.capacity - tokens
        const elapsed = at - last
        tokens = missing <= 0 || elapsed >= Math.ceil(missing / spec.perMs) ? spec.capacity : tokens + elapsed * spec.perMs
        last = at
      }
      const expected = Math.min(n, Math.floor(tokens / TOKEN))
      if (admitted !== expected) report.violations.push({ key, at, admitted, expected })
      tokens -= admitted * TOKEN
      report.admitted += admitted
    }
  }
  return report
}
