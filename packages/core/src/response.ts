/**
 * The gateway's response as plain data: serialisable (for caches), and easy to turn into a Fetch
 * `Response` or write to a Node `ServerResponse`. Header names are lower case.
 */
export interface GatewayResponse {
  readonly status: number
  readonly headers: Readonly<Record<string, string>>
  readonly body: string | Uint8Array
  /** `set-cookie` lines, each written as its own header (besides any `set-cookie` in `headers`). */
  readonly cookies?: readonly string[] | undefined
}

/** Converts a {@link GatewayResponse} to a Fetch `Response`. */
export function toFetchResponse(response: GatewayResponse): Response {
  const body = response.status === 204 || response.status === 304 ? null : response.body
  const out = new Response(body as BodyInit | null, { status: response.status, headers: response.headers as Record<string, string> })
  if (response.cookies !== undefined) for (const c of response.cookies) out.headers.append('set-cookie', c)
  return out
}

/**
 * The most response bytes an adapter buffers for the after-handler phase (`finalize`): a larger
 * (streamed) body passes through untouched and `finalize` does not run. 10 MiB, API Gateway's
 * payload limit.
 */
export const CAPTURE_LIMIT = 10 * 1024 * 1024

/** Headers that describe the exact bytes of a body: stale once the body changes. */
const BODY_BOUND = ['etag', 'content-md5', 'content-length'] as const

const sameBody = (a: string | Uint8Array, b: string | Uint8Array): boolean => {
  if (a === b) return true
  const x = typeof a === 'string' ? Buffer.from(a) : a
  const y = typeof b === 'string' ? Buffer.from(b) : b
  return x.byteLength === y.byteLength && Buffer.compare(x, y) === 0
}

/**
 * After an after-handler phase: when it changed the body but left `ETag`, `Content-MD5` or
 * `Content-Length` as the handler set them, those describe the old bytes and are dropped (the
 * adapter writes the new length; a validator must not vouch for bytes it was not computed on).
 * A value the phase set itself is kept.
 */
export function dropStaleBodyHeaders(before: GatewayResponse, after: GatewayResponse): GatewayResponse {
  if (after === before || sameBody(before.body, after.body)) return after
  let headers: Record<string, string> | undefined
  for (const name of BODY_BOUND) {
    const v = after.headers[name]
    if (v === undefined || v !== before.headers[name]) continue
    headers ??= { ...after.headers }
    delete headers[name]
  }
  return headers === undefined ? after : { ...after, headers }
}
