/**
 * Strict media-type parsing (RFC 9110 §8.3.1): `type "/" subtype *( OWS ";" OWS parameter )`.
 * A Content-Type that only looks like JSON (`application/json\tx`, `application/json x`,
 * `application/json, text/plain`) is malformed here, not "application/json": a lenient prefix
 * match is how body validation gets skipped while a JSON parser downstream still reads the body.
 */

const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/
const PARAMETER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+=(?:[!#$%&'*+.^_`|~0-9A-Za-z-]+|"(?:[\t !#-[\]-~\x80-\xff]|\\[\t !-~\x80-\xff])*")$/

const isOws = (c: string | undefined): boolean => c === ' ' || c === '\t'

function trimOws(s: string): string {
  let a = 0
  let b = s.length
  while (a < b && isOws(s[a])) a++
  while (b > a && isOws(s[b - 1])) b--
  return s.slice(a, b)
}

/**
 * The media type's essence (`type/subtype`, lower case) without parameters, or `null` when the
 * value is not one well-formed media type.
 *
 * @example
 * mediaTypeEssence('Application/JSON; charset=UTF-8') // 'application/json'
 * mediaTypeEssence('application/json\tx')             // null
 */
export function mediaTypeEssence(value: string): string | null {
  const semi = value.indexOf(';')
  const head = trimOws(semi === -1 ? value : value.slice(0, semi))
  const slash = head.indexOf('/')
  if (slash <= 0) return null
  const type = head.slice(0, slash)
  const subtype = head.slice(slash + 1)
  if (!TOKEN.test(type) || !TOKEN.test(subtype)) return null
  if (semi !== -1 && !validParameters(value.slice(semi + 1))) return null
  return `${type}/${subtype}`.toLowerCase()
}

/** Parameters after the first `;`: each `name=value` (token or quoted string), OWS around `;`. */
function validParameters(rest: string): boolean {
  // split on ';' outside quoted strings
  let start = 0
  let quoted = false
  for (let i = 0; i <= rest.length; i++) {
    const c = rest[i]
    if (quoted) {
      if (c === '\\') i++
      else if (c === '"') quoted = false
      continue
    }
    if (c === '"') quoted = true
    else if (c === ';' || c === undefined) {
      const p = trimOws(rest.slice(start, i))
      // empty parameters (`a/b;`, `a/b; ;x=1`) are tolerated, as RFC 9110's grammar allows
      if (p !== '' && !PARAMETER.test(p)) return false
      start = i + 1
    }
  }
  return !quoted
}
