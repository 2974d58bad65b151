/**
 * The value model of mapping templates. Template data is plain JSON data (objects as Java maps,
 * arrays as Java lists, strings, numbers, booleans, null) plus a few host objects (`$input`, `$util`,
 * `$context`, ...). Nothing here reads a property a value does not own, and nothing calls a function
 * found in data: that is what keeps templates away from prototypes and globals.
 */

/** An object the engine provides (`$input`, `$util`, `$context`): own properties and methods only. */
export abstract class HostObject {
  /** `$obj.name` */
  abstract prop(name: string): unknown
  /** `$obj.name(args)`; `undefined` when there is no such method. */
  abstract call(name: string, args: readonly unknown[], st: RenderState): unknown
  /** What `$obj` renders as. */
  abstract display(): string
  /** What `$obj` serialises to inside JSON. */
  toJSON(): unknown {
    return this.display()
  }
}

/** A `#define` block: renders when referenced. */
export class Deferred {
  constructor(readonly render: (st: RenderState) => string) {}
}

/** The state of one render. */
export interface RenderState {
  /** The template's variables, by the slot the compiler gave each name. */
  readonly vars: unknown[]
  /** The budget clock's time ({@link budgetNow}) after which the render fails. */
  readonly deadline: number
  /** Iterations left before the next time check. */
  tick: number
  depth: number
  readonly limits: ResolvedLimits
  /** Set by `#break`; the innermost `#foreach` clears it. */
  brk: boolean
}

/** Limits of a template, resolved. */
export interface ResolvedLimits {
  readonly maxSize: number
  readonly maxIterations: number
  readonly timeBudgetMs: number
  readonly maxOutput: number
  readonly maxDepth: number
}

/** Why a render failed (the message says where and what). */
export type TemplateErrorCode = 'RENDER_BUDGET' | 'OUTPUT_TOO_LARGE' | 'DEPTH' | 'BODY_NOT_JSON' | 'INVALID_ARGUMENT' | 'INVALID_JSON_PATH'

/** A render failure: becomes a 500 gateway response (or 400 for a request body that is not JSON). */
export class TemplateError extends Error {
  override readonly name = 'TemplateError'
  constructor(
    readonly code: TemplateErrorCode,
    message: string,
  ) {
    super(message)
  }
}

/** Lists the template built (`[1, 2]`, `keySet()`): Java's `ArrayList.toString` renders `[1, 2]`. */
const javaLists = new WeakSet<unknown[]>()

/** Marks an array as a list made by the template (rendered Java-style, not as JSON). */
export function javaList<T>(list: T[]): T[] {
  javaLists.add(list)
  return list
}

/** True for a JSON-data map (a plain object); host objects and arrays are not maps. */
export function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false
  const proto: unknown = Object.getPrototypeOf(v)
  // JSON data and template maps are plain objects (or null-prototype records)
  return proto === Object.prototype || proto === null
}

const hasOwn = Object.prototype.hasOwnProperty

/** An own property of a map, or undefined. Never reaches a prototype. */
export function own(map: object, key: string): unknown {
  return hasOwn.call(map, key) ? (map as Record<string, unknown>)[key] : undefined
}

/** Writes an own property without invoking any setter (`__proto__` included). */
export function putOwn(map: object, key: string, value: unknown): void {
  Object.defineProperty(map, key, { value, writable: true, enumerable: true, configurable: true })
}

/** Java's `toString` of a number: integers without a fraction, others as JavaScript prints them. */
function numberText(n: number): string {
  return (n | 0) === n ? `${n}` : String(n)
}

/**
 * The most characters one render may print from a single value. Template-built lists and maps can
 * share parts (`#set($x = [$x, $x])` in a loop), so their text can grow exponentially with their
 * size in memory: printing counts what it produces and stops at this limit. Set by each render
 * (renders are synchronous).
 */
let printLimit = 10 * 1024 * 1024
let printDeadline = Number.POSITIVE_INFINITY
let printed = 0
let printing = false
let printSteps = 0

/**
 * The time source of render budgets (ms, like `performance.now()`). Tests swap in a counting clock
 * to check deterministically that every render stops at its budget, whatever the machine's speed.
 */
export let budgetNow: () => number = () => performance.now()

/** @internal Replaces the budget clock (tests); no argument restores `performance.now()`. */
export function setBudgetClock(now?: () => number): void {
  budgetNow = now ?? ((): number => performance.now())
}

/** Sets the print limit and deadline for the render about to run (its `maxOutput`, its time budget). */
export function setPrintLimit(limit: number, deadline = Number.POSITIVE_INFINITY): void {
  printLimit = limit
  printDeadline = deadline
}

/** Checks the render's deadline every 1024 printing steps. */
function printStep(): void {
  if ((++printSteps & 1023) === 0 && budgetNow() > printDeadline) throw new TemplateError('RENDER_BUDGET', 'mapping template exceeded its render time budget while printing a value')
}

const tooLarge = (): TemplateError => new TemplateError('OUTPUT_TOO_LARGE', `a value in the mapping template prints to more than ${printLimit} characters`)

/** JSON of a value (host objects serialise through `toJSON`); fails past the print limit. */
export function toJson(v: unknown): string {
  if (v === undefined) return 'null'
  let nodes = 0
  // every node prints at least one character: counting nodes bounds the work on shared parts
  const max = printLimit
  return (
    JSON.stringify(v, (_key: string, value: unknown): unknown => {
      if (++nodes > max) throw tooLarge()
      printStep()
      if (value instanceof Deferred) return ''
      if (typeof value === 'function' || typeof value === 'symbol' || typeof value === 'bigint') return null
      return value
    }) ?? 'null'
  )
}

/** What a value renders as in template output (`$x`). */
export function display(v: unknown): string {
  switch (typeof v) {
    case 'string':
      return v
    case 'number':
      return numberText(v)
    case 'boolean':
      return v ? 'true' : 'false'
    case 'undefined':
      return ''
    case 'object':
      if (v === null) return ''
      return objectText(v)
    default:
      return ''
  }
}

/** Java's `toString` of a value nested in a map or list (`null` prints as `null`). */
function javaText(v: unknown): string {
  if (v === null || v === undefined) return 'null'
  return typeof v === 'object' ? objectText(v) : display(v)
}

function objectText(v: object): string {
  if (printing) return objectPart(v)
  printing = true
  printed = 0
  nesting = 0
  try {
    return objectPart(v)
  } finally {
    printing = false
  }
}

let nesting = 0

function objectPart(v: object): string {
  // a list or map that contains itself never ends: stop well before the stack does
  if (++nesting > 500) {
    nesting = 0
    throw new TemplateError('OUTPUT_TOO_LARGE', 'a value in the mapping template is nested more than 500 levels deep (or contains itself)')
  }
  try {
    return objectInner(v)
  } finally {
    if (nesting > 0) nesting--
  }
}

function objectInner(v: object): string {
  if (Array.isArray(v)) {
    if (javaLists.has(v)) return count(`[${v.map(javaText).join(', ')}]`)
    return count(toJson(v))
  }
  if (v instanceof HostObject) return v.display()
  if (v instanceof Deferred) return ''
  let out = '{'
  let first = true
  for (const k of Object.keys(v)) {
    out += `${first ? '' : ', '}${k}=${javaText((v as Record<string, unknown>)[k])}`
    first = false
  }
  return count(`${out}}`)
}

/** Counts what nested printing produced (parts are counted again in their parents: a bound, not a size). */
function count(text: string): string {
  printStep()
  printed += text.length
  if (printed > printLimit) throw tooLarge()
  return text
}

/** Velocity's truth: only null (missing) and false are false. */
export function truthy(v: unknown): boolean {
  return v !== undefined && v !== null && v !== false
}

const blank = (v: unknown): boolean => v === undefined || v === null || v === ''

/**
 * Velocity's `==`: numbers numerically, same-kind values by value, different kinds by their
 * `toString`. AWS's quirk: a missing value (null) equals both `$null` and `""`.
 */
export function equals(a: unknown, b: unknown): boolean {
  if (blank(a) || blank(b)) return blank(a) && blank(b)
  if (typeof a === 'number' && typeof b === 'number') return a === b
  if (typeof a !== 'object' && typeof b !== 'object') return typeof a === typeof b ? a === b : display(a) === display(b)
  if (typeof a === 'object' && typeof b === 'object') {
    if (a === b) return true
    if (a instanceof HostObject || b instanceof HostObject) return false
    return toJson(a) === toJson(b)
  }
  return display(a) === display(b)
}

/** `<`, `<=`, `>`, `>=`: numbers, or two strings (by code units). Anything else is false. */
export function compare(a: unknown, b: unknown, op: '<' | '<=' | '>' | '>='): boolean {
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) return false
  switch (op) {
    case '<':
      return a < b
    case '<=':
      return a <= b
    case '>':
      return a > b
    default:
      return a >= b
  }
}

const isInt = (n: unknown): n is number => typeof n === 'number' && Number.isInteger(n)

/** Arithmetic as Velocity does it: integer division and remainder for two integers, null for a division by zero. */
export function arithmetic(op: string, a: unknown, b: unknown): unknown {
  if (typeof a === 'number' && typeof b === 'number') {
    switch (op) {
      case '+':
        return a + b
      case '-':
        return a - b
      case '*':
        return a * b
      case '/':
        if (b === 0) return null
        return isInt(a) && isInt(b) ? Math.trunc(a / b) : a / b
      case '%':
        if (b === 0) return null
        return a % b
      default:
        return null
    }
  }
  if (op === '+' && (typeof a === 'string' || typeof b === 'string') && a !== undefined && a !== null && b !== undefined && b !== null) return display(a) + display(b)
  return null
}
