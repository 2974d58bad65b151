/**
 * A conservative check for regular expressions that can backtrack catastrophically, run on
 * configuration (selection patterns) when it is loaded. It refuses:
 * - a repeated group (`*`, `+`, `{n,}`) that itself contains a repetition (star height above 1,
 *   e.g. `(a+)+`, `(\w*\s?)*`);
 * - a repeated group that contains an alternation (`(a|ab)*`), which can overlap;
 * - back-references (`\1`, `\k<name>`).
 * It accepts some safe patterns it cannot prove safe; it is a lint, not a proof. Patterns like
 * `.*a.*b.*c` stay polynomial and pass.
 */

/** Why a pattern is refused, or undefined when it passes. */
export function unsafeRegexReason(source: string): string | undefined {
  interface Frame {
    repeats: boolean
    alternates: boolean
  }
  const stack: Frame[] = [{ repeats: false, alternates: false }]
  const top = (): Frame => stack[stack.length - 1] as Frame
  /** Length of an unbounded (or any, with `bounded`) quantifier at `i`, or 0. */
  const quantifier = (i: number): { len: number; unbounded: boolean } => {
    const c = source[i]
    if (c === '*' || c === '+') return { len: 1 + (source[i + 1] === '?' || source[i + 1] === '+' ? 1 : 0), unbounded: true }
    if (c === '?') return { len: 1, unbounded: false }
    if (c === '{') {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(source.slice(i))
      if (m === null) return { len: 0, unbounded: false }
      const unbounded = m[2] !== undefined && (m[3] === undefined || m[3] === '')
      const big = m[3] !== undefined && m[3] !== '' && Number(m[3]) > 1
      return { len: m[0].length, unbounded: unbounded || big }
    }
    return { len: 0, unbounded: false }
  }
  let i = 0
  while (i < source.length) {
    const c = source[i] as string
    let atomEnd = i + 1
    if (c === '\\') {
      const n = source[i + 1] ?? ''
      if (/[1-9]/.test(n) || n === 'k') return 'back-references cannot be checked for backtracking'
      atomEnd = i + 2
    } else if (c === '[') {
      let j = i + 1
      if (source[j] === '^') j++
      if (source[j] === ']') j++
      while (j < source.length && source[j] !== ']') j += source[j] === '\\' ? 2 : 1
      atomEnd = j + 1
    } else if (c === '(') {
      stack.push({ repeats: false, alternates: false })
      i++
      if (source[i] === '?') {
        // (?:, (?=, (?!, (?<=, (?<!, (?<name>
        i++
        if (source[i] === '<' && source[i + 1] !== '=' && source[i + 1] !== '!') {
          const close = source.indexOf('>', i)
          i = close === -1 ? source.length : close + 1
        } else i += source[i] === '<' ? 2 : 1
      }
      continue
    } else if (c === ')') {
      const inner = stack.pop() ?? { repeats: false, alternates: false }
      if (stack.length === 0) return 'unbalanced parentheses'
      const q = quantifier(i + 1)
      if (q.len > 0) {
        if (q.unbounded && inner.repeats) return 'a repeated group contains a repetition (nested quantifiers)'
        if (q.unbounded && inner.alternates) return 'a repeated group contains an alternation'
        if (q.unbounded) top().repeats = true
      }
      if (inner.repeats) top().repeats = true
      i += 1 + q.len
      continue
    } else if (c === '|') {
      top().alternates = true
      i++
      continue
    }
    const q = quantifier(atomEnd)
    if (q.unbounded) top().repeats = true
    i = atomEnd + q.len
  }
  if (stack.length !== 1) return 'unbalanced parentheses'
  return undefined
}
