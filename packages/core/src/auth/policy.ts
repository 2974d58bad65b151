/**
 * IAM policy evaluation for `execute-api`, shared by custom authorizers, resource policies and
 * SigV4 identity policies: statements whose action and resource match, IAM wildcards (`*` any run
 * of characters including `/`, `?` exactly one), explicit Deny wins, else any Allow, else implicit
 * deny. Conditions: `IpAddress` / `NotIpAddress` on `aws:SourceIp` (IPv4 and IPv6 CIDRs, compared
 * on canonical addresses).
 */
import { parseCidr, parseIp, type Cidr, type ParsedIp } from './cidr.js'

/** One IAM policy statement, in AWS's own JSON names. */
export interface PolicyStatement {
  Sid?: string
  Effect: 'Allow' | 'Deny'
  Action?: string | readonly string[]
  NotAction?: string | readonly string[]
  Resource?: string | readonly string[]
  NotResource?: string | readonly string[]
  /** Resource policies: `"*"`, `{ "AWS": "*" }` or `{ "AWS": [account ids or ARNs] }`. */
  Principal?: '*' | { AWS: string | readonly string[] }
  /** `{ IpAddress: { "aws:SourceIp": [...] } }`, `{ NotIpAddress: { ... } }`. */
  Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>
}

/** An IAM policy document. */
export interface PolicyDocument {
  Version?: string
  Statement: PolicyStatement | readonly PolicyStatement[]
}

/** What one evaluation is about. */
export interface PolicyRequest {
  /** e.g. `execute-api:Invoke`. */
  readonly action: string
  /** The method ARN. */
  readonly resource: string
  /** The canonical client address (`$context.identity.sourceIp`). */
  readonly sourceIp: string
  /** The IAM caller (SigV4), when there is one; otherwise anonymous. */
  readonly principal?: { readonly arn?: string | undefined; readonly accountId?: string | undefined } | undefined
}

/** `allow`: an Allow matched and no Deny; `deny`: an explicit Deny matched; `none`: implicit deny. */
export type PolicyDecision = 'allow' | 'deny' | 'none'

/** A policy validated and prepared once; `evaluate` is allocation-free. */
export interface CompiledPolicy {
  evaluate(request: PolicyRequest): PolicyDecision
}

/** A policy that cannot be evaluated: its path (`Statement[0].Resource`) and the problem. */
export class PolicyError extends Error {
  override readonly name = 'PolicyError'
  readonly path: string
  constructor(path: string, message: string) {
    super(`${path}: ${message}`)
    this.path = path
  }
}

/**
 * True when `text` matches the IAM wildcard `pattern`: `*` matches any run of characters (also
 * `/`), `?` exactly one. Linear-time (no regular expression, no catastrophic backtracking).
 */
export function wildcardMatch(pattern: string, text: string, ignoreCase = false): boolean {
  if (ignoreCase) {
    pattern = pattern.toLowerCase()
    text = text.toLowerCase()
  }
  let p = 0
  let t = 0
  let star = -1
  let mark = 0
  while (t < text.length) {
    const c = pattern.charCodeAt(p)
    if (p < pattern.length && (c === 63 /* ? */ || c === text.charCodeAt(t))) {
      p++
      t++
    } else if (p < pattern.length && c === 42 /* * */) {
      star = p++
      mark = t
    } else if (star !== -1) {
      p = star + 1
      t = ++mark
    } else {
      return false
    }
  }
  while (p < pattern.length && pattern.charCodeAt(p) === 42) p++
  return p === pattern.length
}

type Test = (request: PolicyRequest, action: string) => boolean

interface Compiled {
  readonly deny: boolean
  readonly action: Test
  readonly resource: Test
  readonly principal: Test | undefined
  readonly conditions: readonly Test[]
}

const list = (v: unknown, path: string): readonly string[] => {
  const a = typeof v === 'string' ? [v] : v
  if (!Array.isArray(a) || a.length === 0 || a.some((x) => typeof x !== 'string')) throw new PolicyError(path, 'must be a string or a non-empty list of strings')
  return a as readonly string[]
}

const MAX_RESOURCE = 1600
const INVOKE = 'execute-api:Invoke'
/** A literal, so comparisons with the patterns below are pointer comparisons. */
const INVOKE_LOWER = 'execute-api:invoke'

function compileCidrs(values: readonly string[], path: string): Cidr[] {
  return values.map((entry, i) => {
    const c = parseCidr(entry)
    if (c === undefined) throw new PolicyError(`${path}[${i}]`, `"${entry}" is not an IP address or CIDR range (an invalid address or prefix length)`)
    return c
  })
}

/** The request's address, parsed once per evaluation (a one-entry memo: the same string repeats). */
let lastIp = ''
let lastParsed: ParsedIp | undefined
function inRanges(ranges: readonly Cidr[], ip: string): boolean {
  if (ip !== lastIp) {
    lastParsed = parseIp(ip)
    lastIp = ip
  }
  const p = lastParsed
  if (p === undefined) return false
  for (const r of ranges) if (r.contains(p)) return true
  return false
}

function compileConditions(condition: unknown, path: string): Test[] {
  if (condition === undefined) return []
  if (condition === null || typeof condition !== 'object' || Array.isArray(condition)) throw new PolicyError(path, 'must be an object of condition operators')
  const tests: Test[] = []
  for (const [operator, keys] of Object.entries(condition as Record<string, unknown>)) {
    const op = `${path}.${operator}`
    if (operator !== 'IpAddress' && operator !== 'NotIpAddress') throw new PolicyError(op, 'unsupported condition operator; sluice evaluates IpAddress and NotIpAddress')
    if (keys === null || typeof keys !== 'object' || Array.isArray(keys)) throw new PolicyError(op, 'must be an object of condition keys')
    for (const [key, values] of Object.entries(keys as Record<string, unknown>)) {
      if (key.toLowerCase() !== 'aws:sourceip') throw new PolicyError(`${op}.${key}`, 'unsupported condition key; IpAddress and NotIpAddress take aws:SourceIp')
      const block = compileCidrs(list(values, `${op}.${key}`), `${op}.${key}`)
      tests.push(operator === 'IpAddress' ? (r) => inRanges(block, r.sourceIp) : (r) => !inRanges(block, r.sourceIp))
    }
  }
  return tests
}

/** One pattern as the cheapest test that decides it: equality, a prefix, anything, or a wildcard walk. */
function patternMatcher(pattern: string): (value: string) => boolean {
  if (pattern === '*') return () => true
  const star = pattern.indexOf('*')
  if (pattern.indexOf('?') === -1) {
    if (star === -1) return (v) => v === pattern
    if (star === pattern.length - 1) {
      const prefix = pattern.slice(0, -1)
      return (v) => v.startsWith(prefix)
    }
  }
  return (v) => wildcardMatch(pattern, v)
}

/** Actions compare case-insensitively; evaluate() lower-cases the request's action once. */
function compilePatterns(values: readonly string[], isAction: boolean, negate: boolean, path: string, expand?: (s: string) => string): Test {
  const matchers = values.map((v, i) => {
    const x = expand ? expand(v) : v
    if (x.length > MAX_RESOURCE) throw new PolicyError(`${path}[${i}]`, `longer than ${MAX_RESOURCE} characters`)
    const lower = isAction ? x.toLowerCase() : x
    return patternMatcher(lower === INVOKE_LOWER ? INVOKE_LOWER : lower)
  })
  if (values.length === 1 && values[0] === '*') return negate ? () => false : () => true
  return (r, action) => {
    const value = isAction ? action : r.resource
    for (const m of matchers) if (m(value)) return !negate
    return negate
  }
}

function compilePrincipal(principal: unknown, path: string): Test | undefined {
  if (principal === undefined) return undefined
  if (principal === '*') return () => true
  const aws = (principal as { AWS?: unknown } | null)?.AWS
  if (principal === null || typeof principal !== 'object' || aws === undefined) throw new PolicyError(path, 'must be "*" or { "AWS": [...] }')
  const ids = list(aws, `${path}.AWS`)
  if (ids.includes('*')) return () => true
  return (r) => {
    const p = r.principal
    if (p === undefined) return false
    for (const id of ids) {
      if (p.arn !== undefined && id === p.arn) return true
      if (p.accountId !== undefined && (id === p.accountId || id === `arn:aws:iam::${p.accountId}:root`)) return true
    }
    return false
  }
}

function compileStatement(s: unknown, path: string, expand?: (s: string) => string): Compiled {
  if (s === null || typeof s !== 'object' || Array.isArray(s)) throw new PolicyError(path, 'must be a statement object')
  const st = s as Record<string, unknown>
  for (const k of Object.keys(st)) {
    if (!['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'Condition'].includes(k)) {
      throw new PolicyError(`${path}.${k}`, 'unsupported statement field')
    }
  }
  if (st['Effect'] !== 'Allow' && st['Effect'] !== 'Deny') throw new PolicyError(`${path}.Effect`, 'must be "Allow" or "Deny"')
  if ((st['Action'] === undefined) === (st['NotAction'] === undefined)) throw new PolicyError(`${path}.Action`, 'a statement has exactly one of Action and NotAction')
  if ((st['Resource'] === undefined) === (st['NotResource'] === undefined)) throw new PolicyError(`${path}.Resource`, 'a statement has exactly one of Resource and NotResource')
  const notAction = st['Action'] === undefined
  const notResource = st['Resource'] === undefined
  const actionPath = `${path}.${notAction ? 'NotAction' : 'Action'}`
  const resourcePath = `${path}.${notResource ? 'NotResource' : 'Resource'}`
  return {
    deny: st['Effect'] === 'Deny',
    action: compilePatterns(list(notAction ? st['NotAction'] : st['Action'], actionPath), true, notAction, actionPath),
    resource: compilePatterns(list(notResource ? st['NotResource'] : st['Resource'], resourcePath), false, notResource, resourcePath, expand),
    principal: compilePrincipal(st['Principal'], `${path}.Principal`),
    conditions: compileConditions(st['Condition'], `${path}.Condition`),
  }
}

/** Options of {@link compilePolicy}. */
export interface CompilePolicyOptions {
  /** Rewrites each `Resource` before matching (resource policies expand `execute-api:/...`). */
  expandResource?: (resource: string) => string
  /** Statements must name a `Principal` (resource policies). */
  requirePrincipal?: boolean
}

/**
 * Validates and prepares a policy document. Throws a {@link PolicyError} naming the first problem.
 *
 * @example
 * const p = compilePolicy({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: 'arn:aws:execute-api:*:*:*' }] })
 * p.evaluate({ action: 'execute-api:Invoke', resource: arn, sourceIp: '127.0.0.1' }) // 'allow'
 */
export function compilePolicy(document: unknown, options: CompilePolicyOptions = {}): CompiledPolicy {
  if (document === null || typeof document !== 'object' || Array.isArray(document)) throw new PolicyError('policyDocument', 'must be an object')
  const raw = (document as { Statement?: unknown }).Statement
  if (raw === undefined) throw new PolicyError('Statement', 'is required')
  const statements = Array.isArray(raw) ? raw : [raw]
  const compiled = statements.map((s, i) => {
    const c = compileStatement(s, `Statement[${i}]`, options.expandResource)
    if (options.requirePrincipal === true && c.principal === undefined) throw new PolicyError(`Statement[${i}].Principal`, 'a resource policy statement names its Principal')
    return c
  })
  return {
    evaluate(request) {
      let allowed = false
      const action = request.action === INVOKE ? INVOKE_LOWER : request.action.toLowerCase()
      for (const s of compiled) {
        if (s.deny === false && allowed) continue
        if (!s.action(request, action) || !s.resource(request, action)) continue
        if (s.principal !== undefined && !s.principal(request, action)) continue
        let ok = true
        for (const c of s.conditions) {
          if (!c(request, action)) {
            ok = false
            break
          }
        }
        if (!ok) continue
        if (s.deny) return 'deny'
        allowed = true
      }
      return allowed ? 'allow' : 'none'
    },
  }
}

/**
 * Combines a resource policy's decision with the caller's (authorizer or IAM) decision, per AWS's
 * same-account table (either allows, an explicit deny anywhere wins) or, with `crossAccount`, the
 * cross-account table (both must allow).
 */
export function combineDecisions(caller: PolicyDecision, resource: PolicyDecision, crossAccount = false): PolicyDecision {
  if (caller === 'deny' || resource === 'deny') return 'deny'
  if (crossAccount) return caller === 'allow' && resource === 'allow' ? 'allow' : 'none'
  return caller === 'allow' || resource === 'allow' ? 'allow' : 'none'
}
