/**
 * JWT authorizers on jose: HTTP API `jwt` (401 with AWS's `WWW-Authenticate: Bearer ...`, 403 on
 * insufficient scope) and REST `cognito_user_pools` (401 for every failure). Signature with an
 * explicit algorithm allow-list (never `none`, no HS/RS confusion: a key set only serves
 * asymmetric algorithms, a secret only HMAC), `iss`, `aud` (`client_id` when `aud` is absent),
 * `exp` required by default, `nbf`, `iat`, clock tolerance, on the gateway's clock. Verified
 * tokens are remembered (bounded, never past `exp`) so a repeated token costs a map lookup.
 */
import { jwtVerify, type CryptoKey, type JWTPayload, type JWSHeaderParameters } from 'jose'
import { LRUCache } from 'lru-cache'
import { SluiceConfigError } from '../errors.js'
import type { Exchange } from '../exchange.js'
import { parseIdentitySources, readIdentitySource } from './identity-source.js'
import { verifyHmacJwt, type HmacVerifyOptions } from './hmac-jwt.js'
import { JwksUnavailable, RemoteKeySet } from './jwks.js'
import type { AuthEnv } from './lambda.js'
import type { CognitoAuthorizerConfig, JwtAuthorizerConfig, JwtVerification } from './types.js'
import { contextString, reject, type Identified, type Verdict } from './verdict.js'

const ASYMMETRIC = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'EdDSA', 'Ed25519']
const HMAC = ['HS256', 'HS384', 'HS512']
/** Longer tokens are refused unparsed. */
export const MAX_TOKEN_LENGTH = 16_384

interface Verified {
  /** The verdict, made once per verified token. */
  id?: Identified
  readonly payload: JWTPayload
  /** Epoch ms of `exp`, or Infinity when the token has none (then it is not remembered). */
  readonly expMs: number
  readonly scopes: readonly string[]
  readonly claims: Record<string, string>
}

/** A prepared JWT authorizer: verification shared by every method that uses it. */
export interface JwtAuthorizer {
  /** Verifies (or recalls) a token; a string is the failure's `error_description`. */
  verify(token: string): Verified | string | Promise<Verified | string>
  /** Fetches started by remote key sets. */
  fetches(): number
  readonly cognito: boolean
  readonly name: string
  readonly source: ReturnType<typeof parseIdentitySources>[number]
  readonly audiencePattern: RegExp | undefined
}

const FIELDS = ['jwksUri', 'jwks', 'secret', 'algorithms', 'clockToleranceSeconds', 'requiredClaims', 'jwksCooldownMs', 'jwksMaxAgeMs', 'jwksTimeoutMs', 'fetch', 'verifiedTokenCacheSize']

function int(v: unknown, def: number, min: number, max: number, option: string): number {
  if (v === undefined) return def
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', option, `must be an integer from ${min} to ${max}`)
  return v
}

function scopesOf(p: JWTPayload): string[] {
  const s = p['scope'] ?? p['scp']
  if (typeof s === 'string') return s.split(' ').filter((x) => x !== '')
  if (Array.isArray(s)) return s.filter((x): x is string => typeof x === 'string')
  return []
}

function describe(e: unknown): string {
  const code = (e as { code?: string }).code
  const claim = (e as { claim?: string }).claim
  switch (code) {
    case 'ERR_JWT_EXPIRED':
      return 'the token has expired'
    case 'ERR_JWT_CLAIM_VALIDATION_FAILED':
      if (claim === 'nbf') return 'the token is not valid yet'
      if (claim === 'iss') return 'the token does not have a valid issuer'
      if (claim === 'iat') return 'the token was issued in the future'
      return `the token does not have a valid ${claim ?? 'claim'}`
    case 'ERR_JOSE_ALG_NOT_ALLOWED':
    case 'ERR_JOSE_NOT_SUPPORTED':
      return 'the token uses an algorithm that is not allowed'
    case 'ERR_JWKS_NO_MATCHING_KEY':
      return 'no key matches the token (kid)'
    case 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED':
      return 'the token signature is invalid'
    default:
      return 'the token is malformed'
  }
}

/** Validates a `jwt` / `cognito_user_pools` config and prepares its verification. */
export function jwtAuthorizer(config: JwtAuthorizerConfig | CognitoAuthorizerConfig, env: AuthEnv, name: string, option: string): JwtAuthorizer {
  const cognito = config.type === 'cognito_user_pools'
  const allowed = ['type', 'name', 'identitySource', ...FIELDS, ...(cognito ? ['providerARNs', 'issuer', 'audience', 'identityValidationExpression'] : ['jwtConfiguration'])]
  for (const k of Object.keys(config)) if (!allowed.includes(k)) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.${k}`, `unknown field for a ${config.type} authorizer; expected ${allowed.join(', ')}`)
  const v: JwtVerification = config
  let issuers: string[]
  let audience: readonly string[] | undefined
  let audiencePattern: RegExp | undefined
  if (cognito) {
    const c = config
    if (!Array.isArray(c.providerARNs) || c.providerARNs.length === 0) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.providerARNs`, 'must list the user pool ARNs')
    issuers = c.providerARNs.map((arn, i) => {
      const m = typeof arn === 'string' ? /^arn:aws:cognito-idp:([a-z0-9-]+):\d{12}:userpool\/([\w-]+)$/.exec(arn) : null
      if (m === null) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.providerARNs[${i}]`, 'must be arn:aws:cognito-idp:{region}:{account}:userpool/{poolId}')
      return `https://cognito-idp.${m[1] as string}.amazonaws.com/${m[2] as string}`
    })
    if (c.issuer !== undefined) {
      if (typeof c.issuer !== 'string' || c.issuer === '') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.issuer`, 'must be a URL string')
      issuers = [c.issuer]
    }
    audience = c.audience
    if (c.identityValidationExpression !== undefined) {
      try {
        audiencePattern = new RegExp(`^(?:${c.identityValidationExpression})$`)
      } catch (e) {
        throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.identityValidationExpression`, `is not a valid regular expression (${(e as Error).message})`)
      }
    }
  } else {
    const j = config.jwtConfiguration
    if (j === null || typeof j !== 'object' || typeof j.issuer !== 'string' || j.issuer === '') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.jwtConfiguration.issuer`, 'is required (the token issuer URL)')
    if (!Array.isArray(j.audience) || j.audience.length === 0 || j.audience.length > 50 || j.audience.some((a) => typeof a !== 'string')) {
      throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.jwtConfiguration.audience`, 'must list 1 to 50 audiences')
    }
    issuers = [j.issuer]
    audience = j.audience
  }
  if (audience !== undefined && (!Array.isArray(audience) || audience.some((a) => typeof a !== 'string'))) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.audience`, 'must be a list of strings')
  const sourceList = parseIdentitySources(config.identitySource ?? 'method.request.header.Authorization', `${option}.identitySource`)
  if (sourceList.length !== 1) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.identitySource`, 'a JWT authorizer reads exactly one identity source')
  const keySources = [v.jwksUri !== undefined, v.jwks !== undefined, v.secret !== undefined].filter(Boolean).length
  if (keySources > 1) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.secret`, 'give one of jwksUri, jwks and secret')
  if (v.jwksUri !== undefined && (typeof v.jwksUri !== 'string' || !/^https?:\/\//.test(v.jwksUri))) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.jwksUri`, 'must be an http(s) URL')
  const secret = v.secret === undefined ? undefined : typeof v.secret === 'string' ? new TextEncoder().encode(v.secret) : v.secret
  if (secret !== undefined && (!(secret instanceof Uint8Array) || secret.byteLength < 32)) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.secret`, 'must be at least 32 bytes')
  const family = secret !== undefined ? HMAC : ASYMMETRIC
  const algorithms = v.algorithms ?? family
  if (!Array.isArray(algorithms) || algorithms.length === 0) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.algorithms`, 'must list the accepted algorithms')
  for (const a of algorithms) {
    if (!family.includes(a)) {
      throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.algorithms`, `"${String(a)}" cannot be used with ${secret !== undefined ? 'a shared secret' : 'a key set'}; ${a === 'none' ? 'unsigned tokens are never accepted' : `expected some of ${family.join(', ')}`}`)
    }
  }
  const tolerance = int(v.clockToleranceSeconds, 0, 0, 3600, `${option}.clockToleranceSeconds`)
  const required = v.requiredClaims ?? ['exp']
  if (!Array.isArray(required) || required.some((c) => typeof c !== 'string')) throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.requiredClaims`, 'must be a list of claim names')
  const cacheSize = int(v.verifiedTokenCacheSize, 10_000, 0, 10_000_000, `${option}.verifiedTokenCacheSize`)
  if (v.fetch !== undefined && typeof v.fetch !== 'function') throw new SluiceConfigError('ERR_INVALID_AUTHORIZER', `${option}.fetch`, 'must be a function')
  const remote = {
    clock: env.clock,
    fetch: v.fetch ?? ((url, init) => fetch(url, init)),
    cooldownMs: int(v.jwksCooldownMs, 30_000, 0, 86_400_000, `${option}.jwksCooldownMs`),
    maxAgeMs: int(v.jwksMaxAgeMs, 600_000, 1, 86_400_000, `${option}.jwksMaxAgeMs`),
    timeoutMs: int(v.jwksTimeoutMs, 1500, 1, 60_000, `${option}.jwksTimeoutMs`),
  } as const

  // keys: a secret imported once per algorithm, a local set, or one remote set per issuer
  let getKey: (header: JWSHeaderParameters, token: never) => Promise<CryptoKey | Uint8Array>
  const sets: RemoteKeySet[] = []
  if (secret !== undefined) {
    // HMAC tokens never reach jose's key lookup: verifyHmacJwt checks them synchronously
    getKey = () => Promise.reject(new Error('HMAC tokens are verified by verifyHmacJwt'))
  } else if (v.jwks !== undefined) {
    const local = new RemoteKeySet(issuers[0] as string, 'local:', { ...remote, fetch: () => Promise.resolve({ ok: true, status: 200, text: () => Promise.resolve(JSON.stringify(v.jwks)) }), maxAgeMs: Number.MAX_SAFE_INTEGER })
    getKey = local.getKey as never
  } else {
    const byIssuer = new Map<string, RemoteKeySet>()
    for (const iss of issuers) {
      const uri = v.jwksUri ?? (cognito && config.issuer === undefined ? `${iss}/.well-known/jwks.json` : undefined)
      const set = new RemoteKeySet(iss, uri, remote)
      byIssuer.set(iss, set)
      sets.push(set)
    }
    getKey = (header, token) => {
      let iss: unknown
      try {
        iss = (JSON.parse(Buffer.from((token as { payload: string }).payload, 'base64url').toString('utf8')) as { iss?: unknown }).iss
      } catch {
        iss = undefined
      }
      const set = typeof iss === 'string' ? byIssuer.get(iss) : undefined
      if (set === undefined) return Promise.reject(Object.assign(new Error('unexpected "iss" claim value'), { code: 'ERR_JWT_CLAIM_VALIDATION_FAILED', claim: 'iss' }))
      return set.getKey(header, token)
    }
  }

  const remembered = cacheSize > 0 ? new LRUCache<string, Verified>({ max: cacheSize }) : undefined
  const audiences = audience === undefined ? undefined : new Set(audience)

  const hmac = secret === undefined ? undefined : { secret, algorithms, issuers, requiredClaims: required, tolerance }

  /** The checks after the signature and jose's claims: iat, audience; then remembered. */
  const accept = (token: string, payload: JWTPayload, now: number): Verified | string => {
    if (typeof payload.iat === 'number' && payload.iat * 1000 > now + tolerance * 1000) return 'the token was issued in the future'
    if (audiences !== undefined) {
      const aud = payload.aud
      const ok =
        aud === undefined
          ? typeof payload['client_id'] === 'string' && audiences.has(payload['client_id'])
          : typeof aud === 'string'
            ? audiences.has(aud)
            : Array.isArray(aud) && aud.some((a) => audiences.has(a))
      if (!ok) return 'the token does not have a valid audience'
    }
    const claims = Object.create(null) as Record<string, string>
    for (const [k, val] of Object.entries(payload)) claims[k] = contextString(val)
    const verified: Verified = { payload, expMs: typeof payload.exp === 'number' ? payload.exp * 1000 : Infinity, scopes: scopesOf(payload), claims }
    if (remembered !== undefined && verified.expMs !== Infinity) remembered.set(token, verified)
    return verified
  }

  const check = async (token: string): Promise<Verified | string> => {
    const now = env.clock.now()
    let payload: JWTPayload
    try {
      ;({ payload } = await jwtVerify(token, getKey as never, {
        algorithms: algorithms as string[],
        issuer: issuers,
        currentDate: new Date(now),
        clockTolerance: tolerance,
        requiredClaims: required as string[],
      }))
    } catch (e) {
      if (e instanceof JwksUnavailable) throw e
      return describe(e)
    }
    return accept(token, payload, now)
  }

  /** HMAC tokens: verified synchronously (see hmac-jwt.ts). */
  const checkHmac = (token: string, o: HmacVerifyOptions): Verified | string => {
    const now = env.clock.now()
    const out = verifyHmacJwt(token, now, o)
    return out.ok ? accept(token, out.payload, now) : describe(out.error)
  }

  return {
    name,
    cognito,
    source: sourceList[0] as JwtAuthorizer['source'],
    audiencePattern,
    fetches: () => sets.reduce((n, s) => n + s.fetches, 0),
    verify(token) {
      if (token.length > MAX_TOKEN_LENGTH) return 'the token is too large'
      const hit = remembered?.get(token)
      if (hit !== undefined) {
        if (env.clock.now() < hit.expMs) return hit
        remembered?.delete(token)
      }
      return hmac !== undefined ? checkHmac(token, hmac) : check(token)
    },
  }
}

const BEARER = /^bearer\s+/i

/** The authenticator of one method: token from the identity source, scopes of the method. */
export function jwtMethod(auth: JwtAuthorizer, scopes: readonly string[] | undefined): (exchange: Exchange) => Verdict | Promise<Verdict> {
  const wanted = scopes !== undefined && scopes.length > 0 ? scopes : undefined
  const scopeText = wanted === undefined ? '' : wanted.join(' ')
  const unauthorized = (description: string | undefined): Verdict =>
    auth.cognito
      ? reject('UNAUTHORIZED', description ?? 'missing')
      : reject('UNAUTHORIZED', description ?? 'missing', undefined, {
          'www-authenticate': description === undefined ? 'Bearer' : `Bearer scope="${scopeText}" error="invalid_token" error_description="${description}"`,
        })
  const decide = (v: Verified | string): Verdict => {
    if (typeof v === 'string') return unauthorized(v)
    if (auth.audiencePattern !== undefined) {
      const aud = v.payload.aud ?? v.payload['client_id']
      const list = Array.isArray(aud) ? aud : [aud]
      if (!list.some((a) => typeof a === 'string' && (auth.audiencePattern as RegExp).test(a))) return unauthorized('the token does not have a valid audience')
    }
    if (wanted !== undefined && !wanted.some((s) => v.scopes.includes(s))) {
      if (auth.cognito) return reject('UNAUTHORIZED', 'insufficient-scope')
      return reject('ACCESS_DENIED', 'insufficient-scope', 'Forbidden', {
        'www-authenticate': `Bearer scope="${scopeText}" error="insufficient_scope" error_description="the token does not have the required scope"`,
      })
    }
    if (v.id !== undefined) return v.id
    const id: Identified = {
      ok: true,
      policy: false,
      who: 'anonymous',
      evaluate: () => 'allow',
      denied: (explicit) => (explicit ? 'User is not authorized to access this resource with an explicit deny' : 'User is not authorized to access this resource'),
      apply(exchange) {
        const a = exchange.context.authorizer
        a['claims'] = v.claims
        a['scopes'] = v.scopes.length > 0 ? v.scopes : null
        // the principal keeps identified callers apart in cache keys
        if (typeof v.payload.sub === 'string') a['principalId'] = v.payload.sub
      },
      detail: { authorizer: auth.name },
    }
    v.id = id
    return id
  }
  return (exchange) => {
    const raw = readIdentitySource(auth.source, exchange)
    if (raw === undefined) return unauthorized(undefined)
    const token = raw.replace(BEARER, '')
    let out: Verified | string | Promise<Verified | string>
    try {
      out = auth.verify(token)
    } catch {
      return unauthorized('the token is malformed')
    }
    if (typeof out === 'string' || !('then' in out)) return decide(out)
    return out.then(decide, (e: unknown) => (e instanceof JwksUnavailable ? reject('AUTHORIZER_CONFIGURATION_ERROR', 'jwks-unavailable') : unauthorized('the token is malformed')))
  }
}
