/**
 * Binary payloads of non-proxy integrations (AWS, HTTP, MOCK of a REST API): `binaryMediaTypes`,
 * the request's `Content-Type` and `Accept`, and `contentHandling` decide whether a payload is text
 * or bytes, and when it is converted (API Gateway's content type conversion tables):
 *
 * - request (the integration's `contentHandling`): a payload whose Content-Type is a binary media
 *   type is bytes, else text. `CONVERT_TO_TEXT` turns bytes into base64 text; `CONVERT_TO_BINARY`
 *   turns text into the bytes it base64-encodes; unset passes either through.
 * - response (the integration response's `contentHandling`): the backend's payload is bytes when its
 *   Content-Type is a binary media type. The client gets bytes with `CONVERT_TO_BINARY`, text with
 *   `CONVERT_TO_TEXT`, and when unset, bytes exactly when the request's first `Accept` type is a
 *   binary media type. Bytes that must become text are base64-encoded; text that must become bytes
 *   is base64-decoded.
 *
 * Mapping templates work on text: they see a payload after it became text and before it becomes
 * bytes; a payload that stays bytes passes through untransformed.
 */
import type { ContentHandling } from './definition.js'
import { isBinaryType } from './lambda.js'

/** A payload: text, or bytes. */
export type Payload = { readonly text: string } | { readonly bytes: Uint8Array }

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/

const toText = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('utf8')
const toBase64 = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('base64')

/** The bytes a base64 text encodes (white space ignored); `undefined` when it is not base64. */
export function decodeBase64(text: string): Uint8Array | undefined {
  const t = text.replace(/\s+/g, '')
  return BASE64.test(t) ? Buffer.from(t, 'base64') : undefined
}

/** The request payload as the integration request (and its template) starts from. */
export function requestPayload(body: Uint8Array, contentType: string | null, binaryMediaTypes: readonly string[], handling: ContentHandling | undefined): Payload {
  if (!isBinaryType(contentType, binaryMediaTypes)) return { text: toText(body) }
  return handling === 'CONVERT_TO_TEXT' ? { text: toBase64(body) } : { bytes: body }
}

/** After the request template: text becomes bytes with `CONVERT_TO_BINARY`; `undefined` when it is not base64. */
export function finishRequest(p: Payload, handling: ContentHandling | undefined): Payload | undefined {
  if (!('text' in p) || handling !== 'CONVERT_TO_BINARY') return p
  const bytes = decodeBase64(p.text)
  return bytes === undefined ? undefined : { bytes }
}

/** Does the client get bytes? */
export function responseIsBinary(accept: string | null, binaryMediaTypes: readonly string[], handling: ContentHandling | undefined): boolean {
  if (handling === 'CONVERT_TO_BINARY') return true
  if (handling === 'CONVERT_TO_TEXT') return false
  return isBinaryType(accept, binaryMediaTypes)
}

/** The integration's response payload before the response template: bytes that go out as text become base64. */
export function responseStart(body: Uint8Array | string, contentType: string | null, binaryMediaTypes: readonly string[], binaryOut: boolean): Payload {
  if (typeof body === 'string') return { text: body }
  if (!isBinaryType(contentType, binaryMediaTypes)) return { text: toText(body) }
  return binaryOut ? { bytes: body } : { text: toBase64(body) }
}

/** After the response template: text that goes out as bytes is base64-decoded; `undefined` when it is not base64. */
export function finishResponse(p: Payload, binaryOut: boolean): Payload | undefined {
  if (!('text' in p) || !binaryOut) return p
  const bytes = decodeBase64(p.text)
  return bytes === undefined ? undefined : { bytes }
}

/** The payload as a response body or request body. */
export const payloadBody = (p: Payload): string | Uint8Array => ('text' in p ? p.text : p.bytes)
