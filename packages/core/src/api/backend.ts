/**
 * Calling an HTTP backend (HTTP and HTTP_PROXY integrations) safely:
 *
 * - the URL: `{name}` / `{name+}` path parameters and `${stageVariables.x}` are substituted into
 *   the configured URI; the origin (scheme, host, port) is always the configured one, whatever
 *   the request holds (`..`, `%2e%2e`, `@`, `//`, `\`, CR/LF cannot move it or climb above the
 *   configured path);
 * - hop-by-hop headers (and any header the `Connection` header names) are stripped both ways;
 * - one deadline (timeout → `timeout`), refused / reset / malformed → `failure`; the promise
 *   settles once, never rejects.
 *
 * `node:http` / `node:https` rather than `fetch`: fetch can neither set `Host` nor present a
 * client certificate without undici's own `Agent`, and sluice adds no dependency.
 */
import { request as httpRequest, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { TlsConfigDefinition } from './definition.js'

/** Headers that describe one connection, never forwarded (RFC 9110 section 7.6.1). */
export const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'trailers', 'transfer-encoding', 'upgrade'])

/** Header names to drop from one message: hop-by-hop ones and those its `Connection` header lists. */
export function hopHeaders(connection: string | string[] | undefined | null): Set<string> {
  const out = new Set(HOP_BY_HOP)
  const values = Array.isArray(connection) ? connection : connection ? [connection] : []
  for (const v of values) for (const t of v.split(',')) if (t.trim() !== '') out.add(t.trim().toLowerCase())
  return out
}

/** Characters kept as they are in a substituted path segment; anything else is percent-encoded. */
const SEGMENT_SAFE = /[A-Za-z0-9\-._~!$&'()*+,;=:]/
const HEX2 = /^[0-9A-Fa-f]{2}$/

/** Percent-encodes one path segment from a request (existing `%XX` escapes are kept). */
export function encodeSegment(segment: string): string {
  let out = ''
  for (let i = 0; i < segment.length; i++) {
    const ch = segment[i] as string
    if (ch === '%' && HEX2.test(segment.slice(i + 1, i + 3))) {
      out += segment.slice(i, i + 3).toUpperCase()
      i += 2
    } else if (SEGMENT_SAFE.test(ch)) out += ch
    else for (const b of Buffer.from(ch, 'utf8')) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`
  }
  return out
}

const isDot = (segment: string): boolean => {
  const d = segment.replace(/%2e/gi, '.')
  return d === '.' || d === '..'
}

/** Why a backend URL could not be built. */
export class BackendUrlError extends Error {}

const PLACEHOLDER = /\{([A-Za-z0-9_.-]+)(\+)?\}/g
const STAGE_VAR = /\$\{stageVariables\.([A-Za-z0-9_]+)\}/g

/** Substitutes `${stageVariables.x}` (missing → empty). */
export function substituteStageVariables(text: string, variables: Readonly<Record<string, string>>): string {
  return text.replace(STAGE_VAR, (_, name: string) => (Object.prototype.hasOwnProperty.call(variables, name) ? (variables[name] as string) : ''))
}

/**
 * Builds the backend URL: the configured `uri` with stage variables, path parameters (encoded
 * per segment) and the request's query string appended. Throws {@link BackendUrlError} when the
 * result would leave the configured origin or path.
 */
export function backendUrl(uri: string, params: Readonly<Record<string, string>>, stageVariables: Readonly<Record<string, string>>, query: string): URL {
  const configured = substituteStageVariables(uri, stageVariables)
  let base: URL
  try {
    base = new URL(configured.replace(PLACEHOLDER, 'x'))
  } catch {
    throw new BackendUrlError('the integration uri is not an absolute URL')
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') throw new BackendUrlError('the integration uri must be http or https')
  const origin = base.origin
  const pathStart = configured.indexOf('/', configured.indexOf('//') + 2)
  const head = pathStart === -1 ? configured : configured.slice(0, pathStart)
  let path = pathStart === -1 ? '/' : configured.slice(pathStart)
  let fixedQuery = ''
  const q = path.indexOf('?')
  if (q !== -1) {
    fixedQuery = path.slice(q + 1)
    path = path.slice(0, q)
  }
  const hash = path.indexOf('#')
  if (hash !== -1) path = path.slice(0, hash)
  const built = path.replace(PLACEHOLDER, (_, name: string) => {
    if (!Object.prototype.hasOwnProperty.call(params, name)) return ''
    const value = params[name] as string
    return value
      .split('/')
      .map((s) => {
        if (isDot(s)) throw new BackendUrlError('a path parameter holds a dot segment')
        return encodeSegment(s)
      })
      .join('/')
  })
  if (/[\r\n\0\\]/.test(built)) throw new BackendUrlError('the path holds a control character or a backslash')
  const safeQuery = [fixedQuery, query].filter((s) => s !== '').map((s) => s.replace(/[^A-Za-z0-9\-._~!$&'()*+,;=:@/?%]/g, (c) => encodeURIComponent(c)))
  const text = `${head}${built.startsWith('/') ? built : `/${built}`}${safeQuery.length > 0 ? `?${safeQuery.join('&')}` : ''}`
  let url: URL
  try {
    url = new URL(text)
  } catch {
    throw new BackendUrlError('the built URL does not parse')
  }
  if (url.origin !== origin || url.username !== base.username || url.password !== base.password) throw new BackendUrlError('the built URL leaves the configured origin')
  // the fixed part of the configured path must still lead the built one (no climbing out of it)
  const fixedPrefix = path.split('{')[0] ?? ''
  const prefix = new URL(`${origin}${fixedPrefix.startsWith('/') ? fixedPrefix : `/${fixedPrefix}`}`).pathname
  if (!url.pathname.startsWith(prefix)) throw new BackendUrlError('the built URL leaves the configured path')
  return url
}

/** A backend call. */
export interface BackendRequest {
  readonly url: URL
  readonly method: string
  readonly headers: Readonly<Record<string, string>>
  readonly body: Uint8Array | undefined
  readonly timeoutMs: number
  readonly tls?: TlsConfigDefinition | undefined
  /** The most response bytes read. Default 10 MiB. */
  readonly maxBytes?: number
}

/** How a backend call ended. */
export type BackendResult =
  | { readonly kind: 'response'; readonly status: number; readonly headers: IncomingHttpHeaders; readonly body: Buffer }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'failure'; readonly reason: string }

/** Calls the backend once; settles exactly once, never rejects. */
export function callBackend(req: BackendRequest): Promise<BackendResult> {
  return new Promise<BackendResult>((resolve) => {
    let settled = false
    let client: ReturnType<typeof httpRequest> | undefined
    const timer = setTimeout(() => {
      settle({ kind: 'timeout' })
      client?.destroy()
    }, req.timeoutMs)
    const max = req.maxBytes ?? 10 * 1024 * 1024
    const headers: OutgoingHttpHeaders = { ...req.headers }
    if (req.body !== undefined) headers['content-length'] = String(req.body.byteLength)
    const https = req.url.protocol === 'https:'
    const tls = req.tls
    const options = {
      method: req.method,
      headers,
      agent: false as const,
      ...(https && tls
        ? {
            rejectUnauthorized: tls.insecureSkipVerification !== true,
            ...(tls.serverNameToVerify !== undefined ? { servername: tls.serverNameToVerify } : {}),
            ...(tls.clientCertificate !== undefined ? { cert: tls.clientCertificate.certificatePem, key: tls.clientCertificate.privateKeyPem } : {}),
            ...(tls.caPem !== undefined ? { ca: tls.caPem } : {}),
          }
        : {}),
    }
    const settle = (r: BackendResult): void => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      resolve(r)
    }
    try {
      client = (https ? httpsRequest : httpRequest)(req.url, options, (res) => {
        const chunks: Buffer[] = []
        let size = 0
        res.on('data', (c: Buffer) => {
          size += c.length
          if (size > max) {
            settle({ kind: 'failure', reason: 'the backend response is larger than the limit' })
            res.destroy()
            return
          }
          chunks.push(c)
        })
        res.on('end', () => settle({ kind: 'response', status: res.statusCode ?? 502, headers: res.headers, body: Buffer.concat(chunks) }))
        res.on('error', (e) => settle({ kind: 'failure', reason: e.message }))
        res.on('aborted', () => settle({ kind: 'failure', reason: 'the backend aborted the response' }))
      })
    } catch (e) {
      settle({ kind: 'failure', reason: e instanceof Error ? e.message : String(e) })
      return
    }
    client.on('error', (e) => settle({ kind: 'failure', reason: e.message }))
    client.end(req.body === undefined ? undefined : Buffer.from(req.body.buffer, req.body.byteOffset, req.body.byteLength))
  })
}
