/** RFC 6901 JSON pointers. */

/** Escapes one JSON pointer token (`~` → `~0`, `/` → `~1`). */
export const escapeToken = (s: string): string => s.replace(/~/g, '~0').replace(/\//g, '~1')

/** Unescapes one JSON pointer token. */
export const unescapeToken = (s: string): string => s.replace(/~1/g, '/').replace(/~0/g, '~')

/** Joins a pointer and more tokens. */
export const ptr = (base: string, ...tokens: Array<string | number>): string => base + tokens.map((t) => `/${escapeToken(String(t))}`).join('')
