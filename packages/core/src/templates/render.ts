/**
 * The public template API: compile once, render many times.
 */
import { SluiceConfigError } from '../errors.js'
import type { HeaderReader } from '../request.js'
import { Compiler, TemplateSyntaxError, type CompileState, type Out } from './compile.js'
import { Context, Input, type InputSource, type Overrides } from './input.js'
import { UTIL } from './util.js'
import { budgetNow, setPrintLimit, TemplateError, type ResolvedLimits } from './values.js'

/** Limits of a mapping template. */
export interface TemplateLimits {
  /** The largest template, in characters. Default 300 KB (API Gateway's limit). */
  maxSize?: number
  /** The most iterations of one `#foreach` (later items are skipped, as Velocity does). Default 1000. */
  maxIterations?: number
  /** Wall-clock budget of one render, in milliseconds; past it the render fails. Default 100. */
  timeBudgetMs?: number
  /** The longest output (and longest string built), in characters. Default 10 MiB. */
  maxOutput?: number
  /** The deepest macro nesting. Default 20 (Velocity's `velocimacro.max.depth`). */
  maxDepth?: number
}

/** What a template renders against: the parts of a request (or of a response). */
export interface TemplateInput {
  /** The payload: text, bytes (read as UTF-8), or a value serialised as JSON. Default empty (`$input.body` is `{}`). */
  body?: unknown
  /** Headers (`$input.params().header`). */
  headers?: HeaderReader | Readonly<Record<string, string | readonly string[] | undefined>>
  /** Query parameters: a raw query string or a record. */
  query?: string | Readonly<Record<string, string | readonly string[] | undefined>>
  /** Path parameters. */
  path?: Readonly<Record<string, string>>
  /**
   * The parameters in `$input.params()`'s own shape, instead of `path` / `query` / `headers` (those
   * win when both are given).
   */
  params?: {
    readonly path?: Readonly<Record<string, string>>
    readonly querystring?: Readonly<Record<string, string>>
    readonly header?: Readonly<Record<string, string>>
  }
  /** `$context`: a plain object (`{ requestId: 'r1', authorizer: { principalId: 'me' } }`) or an exchange's context. */
  context?: object
  /** `$stageVariables`. */
  stageVariables?: Readonly<Record<string, string>>
  /** The body already parsed as JSON, when you have it (saves a parse; `body` must still be its text for `$input.body`). */
  json?: unknown
  /** The overrides to start from (a response template sees what the request template set). */
  overrides?: Overrides
}

/** The result of a render: the output and the overrides the template set. */
export interface RenderResult {
  readonly body: string
  readonly overrides: Overrides
}

/** A compiled template: parsed and compiled once, rendered many times. */
export interface CompiledTemplate {
  readonly source: string
  readonly limits: Readonly<ResolvedLimits>
  /** Renders; throws a {@link TemplateError} when the template fails (a budget, a bad argument). */
  render(input?: TemplateInput): RenderResult
}

export const DEFAULT_LIMITS: ResolvedLimits = Object.freeze({ maxSize: 300 * 1024, maxIterations: 1000, timeBudgetMs: 100, maxOutput: 10 * 1024 * 1024, maxDepth: 20 })

/** Resolves and checks limits; throws {@link SluiceConfigError} `ERR_INVALID_TEMPLATE` naming `option`. */
export function resolveLimits(limits: TemplateLimits | undefined, option = 'limits'): ResolvedLimits {
  if (limits === undefined) return DEFAULT_LIMITS
  if (limits === null || typeof limits !== 'object') throw new SluiceConfigError('ERR_INVALID_TEMPLATE', option, 'must be an object of limits')
  const out: Record<string, number> = { ...DEFAULT_LIMITS }
  for (const k of Object.keys(limits)) {
    if (!(k in DEFAULT_LIMITS)) throw new SluiceConfigError('ERR_INVALID_TEMPLATE', `${option}.${k}`, `unknown limit; expected one of ${Object.keys(DEFAULT_LIMITS).join(', ')}`)
    const v = (limits as Record<string, unknown>)[k]
    if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new SluiceConfigError('ERR_INVALID_TEMPLATE', `${option}.${k}`, 'must be a positive number')
    out[k] = v
  }
  return Object.freeze(out as unknown as ResolvedLimits)
}

function bodyText(body: unknown): string {
  if (body === undefined || body === null) return ''
  if (typeof body === 'string') return body
  if (body instanceof Uint8Array) return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8')
  if (body instanceof ArrayBuffer) return Buffer.from(body).toString('utf8')
  return JSON.stringify(body) ?? ''
}

class Result implements RenderResult {
  constructor(
    readonly body: string,
    readonly ctx: Context,
  ) {}
  get overrides(): Overrides {
    return this.ctx.overrides
  }
}

class Template implements CompiledTemplate {
  readonly source: string
  readonly limits: ResolvedLimits
  readonly #out: Out
  readonly #slots: number

  constructor(source: string, limits: ResolvedLimits, compiled: { out: Out; slots: number }) {
    this.source = source
    this.limits = limits
    this.#out = compiled.out
    this.#slots = compiled.slots
  }

  render(input: TemplateInput = {}): RenderResult {
    const p = input.params
    const src: InputSource = { body: bodyText(input.body), path: input.path ?? p?.path, query: input.query ?? p?.querystring, headers: input.headers ?? p?.header, json: input.json }
    return this.renderWith(new Input(src), input.context, input.stageVariables, input.overrides)
  }

  /** @internal renders with an already built `$input` (the transform step builds it once per exchange). */
  renderWith(input: Input, context: object | undefined, stageVariables: Readonly<Record<string, string>> | undefined, overrides?: Overrides): RenderResult {
    const vars: unknown[] = new Array<unknown>(this.#slots)
    vars[0] = input
    vars[1] = UTIL
    const ctx = new Context(context, overrides)
    vars[2] = ctx
    vars[3] = stageVariables ?? Object.create(null)
    const deadline = budgetNow() + this.limits.timeBudgetMs
    setPrintLimit(this.limits.maxOutput, deadline)
    const st: CompileState = { vars, deadline, tick: 64, depth: 0, limits: this.limits, brk: false }
    let body: string
    try {
      body = this.#out(st)
    } finally {
      setPrintLimit(DEFAULT_LIMITS.maxOutput)
    }
    if (body.length > this.limits.maxOutput) throw new TemplateError('OUTPUT_TOO_LARGE', `mapping template output exceeds ${this.limits.maxOutput} characters`)
    return new Result(body, ctx)
  }
}

/**
 * Compiles a mapping template once (velocityjs parses it; the tree becomes JavaScript closures).
 * Throws {@link SluiceConfigError} `ERR_INVALID_TEMPLATE` (naming `option`) when the template is too
 * large or cannot be parsed.
 *
 * @example
 * const t = compileTemplate('{"name": $input.json(\'$.name\')}')
 * t.render({ body: '{"name":"Rex"}' }).body // '{"name": "Rex"}'
 */
export function compileTemplate(source: string, limits?: TemplateLimits, option = 'template'): CompiledTemplate {
  const resolved = resolveLimits(limits, `${option} limits`)
  if (typeof source !== 'string') throw new SluiceConfigError('ERR_INVALID_TEMPLATE', option, 'must be a string')
  if (source.length > resolved.maxSize) throw new SluiceConfigError('ERR_INVALID_TEMPLATE', option, `is ${source.length} characters; the limit is ${resolved.maxSize}`)
  let out: { out: Out; slots: number }
  try {
    out = Compiler.compile(source)
  } catch (e) {
    if (e instanceof TemplateSyntaxError) throw new SluiceConfigError('ERR_INVALID_TEMPLATE', option, e.message)
    // a syntax tree this compiler does not expect is still the template's fault, never a crash
    throw new SluiceConfigError('ERR_INVALID_TEMPLATE', option, `cannot compile the template: ${e instanceof Error ? e.message : String(e)}`)
  }
  return new Template(source, resolved, out)
}

/** Internal: the renderer behind a compiled template (the transform step passes its own `$input`). */
export function renderCompiled(t: CompiledTemplate, input: Input, context: object | undefined, stageVariables: Readonly<Record<string, string>> | undefined, overrides?: Overrides): RenderResult {
  return (t as Template).renderWith(input, context, stageVariables, overrides)
}

const cache = new Map<string, CompiledTemplate>()

/**
 * Renders a mapping template against a request, as API Gateway would: for your own tests.
 * Compiled templates are cached by source.
 *
 * @example
 * renderTemplate('#set($n = $input.path(\'$.pets\').size())$n pets', { body: '{"pets":[1,2]}' }) // '2 pets'
 */
export function renderTemplate(template: string, input: TemplateInput = {}, limits?: TemplateLimits): string {
  let t = limits === undefined ? cache.get(template) : undefined
  if (t === undefined) {
    t = compileTemplate(template, limits)
    if (limits === undefined) {
      if (cache.size >= 100) cache.clear()
      cache.set(template, t)
    }
  }
  return t.render(input).body
}
