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
