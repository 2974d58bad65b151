/**
 * IAM authorization: verifies `Authorization: AWS4-HMAC-SHA256 ...` (service `execute-api`) by
 * recomputing the signature with the secret a user-supplied resolver returns, within a 5-minute
 * clock skew, comparing in constant time; the caller's identity policies then decide
 * `execute-api:Invoke`. Messages are AWS's.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { LRUCache } from 'lru-cache'
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { isPromise } from '../outcome.js'
import type { AuthEnv } from './lambda.js'
import { compilePolicy, type CompiledPolicy, type PolicyDecision } from './policy.js'
import type { IamAuthorizerConfig, IamCredentials } from './types.js'
import { reject, type Authenticate, type Identified, type Verdict } from './verdict.js'

const ALGORITHM = 'AWS4-HMAC-SHA256'
const SKEW_MS = 5 * 60 * 1000
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
const INVALID_TOKEN = 'The security token included in the request is invalid.'

/** `20150830T123600Z` for an epoch ms. */
export function amzDate(ms: number): string {
  return new Date(ms).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')
}

function parseAmzDate(s: string): number | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s)
  if (m === null) return undefined
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6]))
  return Number.isNaN(t) ? undefined : t
}

/** RFC 3986 encoding as SigV4 wants it (unreserved characters kept, everything else %XX). */
export function uriEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${(c.charCodeAt(0) as number).toString(16).toUpperCase()}`)
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s)
  } catch {
    return s
  }
}

/**
 * The canonical URI of a path as received (non-S3 services): dot segments removed, empty segments
 * dropped, then every character but `/` and the unreserved ones encoded — so a path that arrived
 * percent-encoded is encoded again, as AWS's signers do for `execute-api`.
 */
export function canonicalUri(path: string): string {
  const segments: string[] = []
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue
    if (s === '..') segments.pop()
    else segments.push(s)
  }
  const normal = `/${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`
  return uriEncode(normal).replace(/%2F/g, '/')
}

/** The canonical query string: names and values decoded, RFC 3986 encoded, sorted by name then value. */
export function canonicalQuery(query: string): string {
  if (query === '') return ''
  const pairs: Array<[string, string]> = []
  for (const p of query.split('&')) {
    if (p === '') continue
    const eq = p.indexOf('=')
    pairs.push([uriEncode(decode(eq === -1 ? p : p.slice(0, eq))), uriEncode(decode(eq === -1 ? '' : p.slice(eq + 1)))])
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] < b[1] ? -1 : a[1] > b[1] ? 1 : 0))
  return pairs.map(([k, v]) => `${k}=${v}`).join('&')
}

/** Everything a signature covers, in SigV4's canonical form. */
export function canonicalRequest(method: string, path: string, query: string, signedHeaders: readonly string[], header: (name: string) => string | null, payloadHash: string): string {
  let headers = ''
  for (const h of signedHeaders) headers += `${h}:${(header(h) ?? '').trim().replace(/\s+/g, ' ')}\n`
  return `${method}\n${canonicalUri(path)}\n${canonicalQuery(query)}\n${headers}\n${signedHeaders.join(';')}\n${payloadHash}`
}

const sha256 = (data: string | Uint8Array): string => createHash('sha256').update(data).digest('hex')
const hmac = (key: Buffer | string, data: string): Buffer => createHmac('sha256', key).update(data).digest()

interface ParsedAuthorization {
  readonly accessKeyId: string
  readonly date: string
  readonly region: string
  readonly service: string
  readonly terminator: string
  readonly signedHeaders: readonly string[]
  readonly signature: string
}

/** Parses the Authorization header; a string is AWS's message for what is missing. */
export function parseAuthorization(value: string, hasDate: boolean): ParsedAuthorization | string {
  const missing: string[] = []
  const params = new Map<string, string>()
  if (value.startsWith(`${ALGORITHM} `)) {
    for (const part of value.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=')
      if (eq !== -1) params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim())
    }
  }
  const credential = params.get('Credential')
  const signature = params.get('Signature')
  const signed = params.get('SignedHeaders')
  if (credential === undefined) missing.push("Authorization header requires 'Credential' parameter.")
  if (signature === undefined) missing.push("Authorization header requires 'Signature' parameter.")
  if (signed === undefined) missing.push("Authorization header requires 'SignedHeaders' parameter.")
  if (!hasDate) missing.push("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.")
  if (missing.length > 0 || credential === undefined || signature === undefined || signed === undefined) return missing.join(' ')
  const c = credential.split('/')
  if (c.length !== 5 || c.some((x) => x === '')) return `Credential should be scoped to a valid region, not a malformed credential scope.`
  const [accessKeyId, date, region, service, terminator] = c as [string, string, string, string, string]
  return { accessKeyId, date, region, service, terminator, signedHeaders: signed.split(';'), signature }
}

/** Signs a canonical request (for tests and clients). */
export function signature(secretAccessKey: string, date: string, region: string, service: string, amz: string, canonical: string): string {
  const key = hmac(hmac(hmac(hmac(`AWS4${secretAccessKey}`, date), region), service), 'aws4_request')
  return createHmac('sha256', key).update(`${ALGORITHM}\n${amz}\n${date}/${region}/${service}/aws4_request\n${sha256(canonical)}`).digest('hex')
}

function hasBody(exchange: Exchange): boolean {
  const h = exchange.request.headers
  const len = h.get('content-length')
  return h.has('transfer-encoding') || (len !== null && len !== '0')
}

/** Validates an `aws_iam` config and returns its authenticator. */
export function sigv4Authorizer(config: IamAuthorizerConfig, env: AuthEnv, name: string, option: string): Authenticate {
  const allowed = ['type', 'name', 'credentials', 'service', 'allowUnsignedPayload']
  for (const k of Object.keys(config)) if (!allowed.includes(k)) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.${k}`, `unknown field for an aws_iam authorizer; expected ${allowed.join(', ')}`)
  if (typeof config.credentials !== 'function') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.credentials`, 'must be a function (accessKeyId) => credentials | undefined')
  const service = config.service ?? 'execute-api'
  if (typeof service !== 'string' || !/^[a-z0-9-]{1,64}$/.test(service)) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.service`, 'must be a service name such as execute-api')
  const unsigned = config.allowUnsignedPayload === true
  const resolve = config.credentials
  const keys = new LRUCache<string, Buffer>({ max: 1000 })
  const compiled = new WeakMap<object, CompiledPolicy>()
  const { clock, aws } = env

  const policiesOf = (creds: IamCredentials): CompiledPolicy[] | undefined => {
    const out: CompiledPolicy[] = []
    for (const doc of creds.policies ?? []) {
      let p = compiled.get(doc)
      if (p === undefined) {
        try {
          p = compilePolicy(doc)
        } catch {
          return undefined
        }
        compiled.set(doc, p)
      }
      out.push(p)
    }
    return out
  }

  const verify = async (exchange: Exchange, arn: string, auth: ParsedAuthorization, amz: string, creds: IamCredentials | undefined): Promise<Verdict> => {
    if (creds === undefined || creds === null || typeof creds.secretAccessKey !== 'string') return reject('INVALID_SIGNATURE', 'unknown-key', INVALID_TOKEN)
    const h = exchange.request.headers
    const presented = h.get('x-amz-security-token')
    if ((creds.sessionToken === undefined) !== (presented === null) || (presented !== null && !safeEqual(presented, creds.sessionToken as string))) {
      return reject('INVALID_SIGNATURE', 'session-token', INVALID_TOKEN)
    }
    const declared = h.get('x-amz-content-sha256')
    let payload: string
    if (declared === 'UNSIGNED-PAYLOAD' && unsigned) payload = declared
    else {
      payload = hasBody(exchange) ? sha256(new Uint8Array(await exchange.request.arrayBuffer())) : EMPTY_SHA256
      if (declared !== null && declared !== payload) return reject('INVALID_SIGNATURE', 'payload-hash')
    }
    const canonical = canonicalRequest(exchange.request.method, exchange.path, exchange.query, auth.signedHeaders, (n) => h.get(n), payload)
    const keyId = `${auth.accessKeyId}\n${auth.date}\n${auth.region}\n${creds.secretAccessKey}`
    let key = keys.get(keyId)
    if (key === undefined) {
      key = hmac(hmac(hmac(hmac(`AWS4${creds.secretAccessKey}`, auth.date), auth.region), auth.service), 'aws4_request')
      keys.set(keyId, key)
    }
    const expected = createHmac('sha256', key).update(`${ALGORITHM}\n${amz}\n${auth.date}/${auth.region}/${auth.service}/aws4_request\n${sha256(canonical)}`).digest('hex')
    if (!/^[0-9a-f]{64}$/.test(auth.signature) || !timingSafeEqual(Buffer.from(expected), Buffer.from(auth.signature))) return reject('INVALID_SIGNATURE', 'signature-mismatch')
    const policies = policiesOf(creds)
    if (policies === undefined) return reject('AUTHORIZER_CONFIGURATION_ERROR', 'invalid-identity-policy')
    const accountId = creds.accountId ?? aws.accountId
    const user = creds.user ?? auth.accessKeyId
    const userArn = creds.userArn ?? `arn:aws:iam::${accountId}:user/${user}`
    const caller = creds.caller ?? auth.accessKeyId
    const v: Identified = {
      ok: true,
      policy: true,
      who: userArn,
      principal: { arn: userArn, accountId },
      crossAccount: accountId !== aws.accountId,
      evaluate(req) {
        let d: PolicyDecision = 'none'
        for (const p of policies) {
          const x = p.evaluate(req)
          if (x === 'deny') return 'deny'
          if (x === 'allow') d = 'allow'
        }
        return d
      },
      denied: (explicit, resource) =>
        `User: ${userArn} is not authorized to perform: execute-api:Invoke on resource: ${resource} ${explicit ? 'with an explicit deny' : 'because no identity-based policy allows the execute-api:Invoke action'}`,
      apply(ex) {
        const id = ex.context.identity
        id.accessKey = auth.accessKeyId
        id.accountId = accountId
        id.caller = caller
        id.user = user
        id.userArn = userArn
      },
      detail: { authorizer: name, accessKey: auth.accessKeyId },
    }
    return v
  }

  return (exchange, arn) => {
    const h = exchange.request.headers
    const header = h.get('authorization')
    if (header === null || header === '') return reject('MISSING_AUTHENTICATION_TOKEN', 'missing')
    const amz = h.get('x-amz-date')
    const auth = parseAuthorization(header, amz !== null)
    if (typeof auth === 'string') return reject('INVALID_SIGNATURE', 'incomplete', auth)
    const t = parseAmzDate(amz as string)
    if (t === undefined) return reject('INVALID_SIGNATURE', 'date', `Date must be in ISO-8601 'basic format'. Got '${amz as string}'. See http://en.wikipedia.org/wiki/ISO_8601`)
    const now = clock.now()
    if (t < now - SKEW_MS) return reject('INVALID_SIGNATURE', 'expired', `Signature expired: ${amz as string} is now earlier than ${amzDate(now - SKEW_MS)} (${amzDate(now)} - 5 min.)`)
    if (t > now + SKEW_MS) return reject('INVALID_SIGNATURE', 'not-yet-current', `Signature not yet current: ${amz as string} is still later than ${amzDate(now + SKEW_MS)} (${amzDate(now)} + 5 min.)`)
    const scope = (amz as string).slice(0, 8)
    if (auth.date !== scope) return reject('INVALID_SIGNATURE', 'scope', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${auth.date}' != '${scope}', from '${amz as string}'.`)
    if (auth.region !== aws.region) return reject('INVALID_SIGNATURE', 'scope', `Credential should be scoped to a valid region. `)
    if (auth.service !== service) return reject('INVALID_SIGNATURE', 'scope', `Credential should be scoped to correct service: '${service}'. `)
    if (auth.terminator !== 'aws4_request') return reject('INVALID_SIGNATURE', 'scope', `Credential should be scoped with a valid terminator: 'aws4_request', not '${auth.terminator}'. `)
    if (!auth.signedHeaders.includes('host')) return reject('INVALID_SIGNATURE', 'signed-headers', "'Host' or ':authority' must be a 'SignedHeader' in the AWS Authorization.")
    let creds: ReturnType<IamAuthorizerConfig['credentials']>
    try {
      creds = resolve(auth.accessKeyId)
    } catch {
      return reject('AUTHORIZER_FAILURE', 'resolver-error')
    }
    if (isPromise<IamCredentials | undefined>(creds)) return creds.then((c) => verify(exchange, arn, auth, amz as string, c), () => reject('AUTHORIZER_FAILURE', 'resolver-error'))
    return verify(exchange, arn, auth, amz as string, creds)
  }
}

function safeEqual(a: string, b: string): boolean {
  const x = createHash('sha256').update(a).digest()
  const y = createHash('sha256').update(b).digest()
  return timingSafeEqual(x, y)
}
