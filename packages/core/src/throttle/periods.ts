/**
 * Calendar quota periods in UTC: DAY starts at 00:00, WEEK at 00:00 on Sunday (or Monday, when
 * chosen), MONTH at 00:00 on the 1st. A period is the half-open interval [start, end).
 */

export type QuotaPeriod = 'DAY' | 'WEEK' | 'MONTH'
export type WeekStart = 'SUNDAY' | 'MONDAY'

const DAY_MS = 86_400_000

/** The start (epoch ms) of the period containing `now`. */
export function periodStart(period: QuotaPeriod, now: number, weekStart: WeekStart = 'SUNDAY'): number {
  const dayStart = Math.floor(now / DAY_MS) * DAY_MS
  if (period === 'DAY') return dayStart
  if (period === 'WEEK') {
    const dow = new Date(dayStart).getUTCDay() // 0 = Sunday
    const back = weekStart === 'SUNDAY' ? dow : (dow + 6) % 7
    return dayStart - back * DAY_MS
  }
  const d = new Date(dayStart)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1)
}

/** The end (epoch ms, exclusive) of the period that starts at `start`. */
export function periodEnd(period: QuotaPeriod, start: number): number {
  if (period === 'DAY') return start + DAY_MS
  if (period === 'WEEK') return start + 7 * DAY_MS
  const d = new Date(start)
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + 1, 1)
}

/** The start of the UTC day containing `now`. */
export function dayStart(now: number): number {
  return Math.floor(now / DAY_MS) * DAY_MS
}

/** `YYYY-MM-DD` of the UTC day containing `epochMs`. */
export function isoDay(epochMs: number): string {
  return new Date(dayStart(epochMs)).toISOString().slice(0, 10)
}

export { DAY_MS }
