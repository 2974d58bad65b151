/**
 * `$util`: API Gateway's template helpers, with the Java behaviour AWS documents or shows.
 */
import { display, HostObject, TemplateError } from './values.js'

const HEX = '0123456789ABCDEF'
const hex4 = (c: number): string => HEX[(c >> 12) & 15]! + HEX[(c >> 8) & 15]! + HEX[(c >> 4) & 15]! + HEX[c & 15]!

/**
 * `$util.escapeJavaScript`: Apache Commons Lang's `escapeJavaScript` (what AWS runs): `'` `"` `\`
 * and `/` get a backslash, `\b \f \n \r \t` their short escapes, other control characters and
 * every character above U+007E (UTF-16 code units, so lone surrogates too) `\uXXXX` in upper case.
 * `'` → `\'` is not valid JSON: AWS's documentation pairs it with `.replaceAll("\\'","'")`.
 */
export function escapeJavaScript(s: string): string {
  let out = ''
  let last = 0
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i)
    let rep: string
    if (c >= 0x20 && c < 0x7f) {
      if (c === 0x27) rep = "\\'"
      else if (c === 0x22) rep = '\\"'
      else if (c === 0x5c) rep = '\\\\'
      else if (c === 0x2f) rep = '\\/'
      else continue
    } else if (c === 0x08) rep = '\\b'
    else if (c === 0x0a) rep = '\\n'
    else if (c === 0x09) rep = '\\t'
    else if (c === 0x0c) rep = '\\f'
    else if (c === 0x0d) rep = '\\r'
    else rep = `\\u${hex4(c)}`
    out += s.slice(last, i) + rep
    last = i + 1
  }
  return last === 0 ? s : out + s.slice(last)
}

const UNRESERVED = /[A-Za-z0-9.\-*_]/

/** `$util.urlEncode`: Java's `URLEncoder.encode(s, "UTF-8")` (space → `+`, lone surrogates → `?`). */
export function urlEncode(s: string): string {
  let out = ''
  for (const ch of s) {
    if (ch === ' ') out += '+'
    else if (UNRESERVED.test(ch)) out += ch
    else {
      const cp = ch.codePointAt(0) as number
      const bytes = cp >= 0xd800 && cp <= 0xdfff ? [0x3f] : Buffer.from(ch, 'utf8')
      for (const b of bytes) out += `%${HEX[b >> 4]}${HEX[b & 15]}`
    }
  }
  return out
}

/** `$util.urlDecode`: Java's `URLDecoder.decode(s, "UTF-8")` (`+` → space); a malformed escape fails the render. */
export function urlDecode(s: string): string {
  if (!s.includes('%') && !s.includes('+')) return s
  const bytes: number[] = []
  let out = ''
  const flush = (): void => {
    if (bytes.length > 0) {
      out += Buffer.from(bytes).toString('utf8')
      bytes.length = 0
    }
  }
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string
    if (c === '%') {
      const h = s.slice(i + 1, i + 3)
      if (!/^[0-9a-fA-F]{2}$/.test(h)) throw new TemplateError('INVALID_ARGUMENT', `$util.urlDecode: malformed escape at ${i}`)
      bytes.push(parseInt(h, 16))
      i += 2
    } else {
      flush()
      out += c === '+' ? ' ' : c
    }
  }
  flush()
  return out
}

/** `$util.base64Encode`: the UTF-8 bytes of the string, standard base64 with padding. */
export function base64Encode(s: string): string {
  return Buffer.from(s, 'utf8').toString('base64')
}

/** `$util.base64Decode`: standard (or URL-safe) base64 to bytes, read as UTF-8. */
export function base64Decode(s: string): string {
  return Buffer.from(s, 'base64').toString('utf8')
}

/** `$util.parseJson`: JSON text to template data (objects as maps, arrays as lists). */
export function parseJson(s: string): unknown {
  try {
    return JSON.parse(s) as unknown
  } catch (e) {
    throw new TemplateError('INVALID_ARGUMENT', `$util.parseJson: ${(e as Error).message}`)
  }
}

type UtilFn = (s: string) => unknown
const FUNCTIONS: Record<string, UtilFn> = Object.assign(Object.create(null) as Record<string, UtilFn>, {
  escapeJavaScript,
  urlEncode,
  urlDecode,
  base64Encode,
  base64Decode,
  parseJson,
})

/** The `$util` object. A null argument gives null (renders empty), as Commons Lang does. */
export class Util extends HostObject {
  prop(): unknown {
    return undefined
  }
  call(name: string, args: readonly unknown[]): unknown {
    const fn = FUNCTIONS[name]
    if (fn === undefined) return undefined
    const a = args[0]
    if (a === undefined || a === null) return null
    return fn(display(a))
  }
  display(): string {
    return ''
  }
}

/** The one shared `$util` (it has no state). */
export const UTIL = new Util()
