/**
 * `sluice render-template`: renders a mapping template (VTL) against a body, `$context`, stage
 * variables and parameters, with sluice's engine (the one `gw.transform()` and `gw.mount()` use).
 */
import { compileTemplate, TemplateError, type TemplateInput } from '@sluice/core'
import { str, type Values } from './args.js'
import { isRecord, readText } from './files.js'
import { EXIT, UsageError, type CliIo } from './io.js'

/** Parses a JSON flag value, or `@file` to read it from a file. */
async function jsonFlag(values: Values, name: string, io: CliIo): Promise<unknown> {
  const raw = str(values, name)
  if (raw === undefined) return undefined
  const text = raw.startsWith('@') ? await readText(raw.slice(1), `--${name} file`, io.cwd) : raw
  try {
    return JSON.parse(text) as unknown
  } catch (e) {
    throw new UsageError(`--${name} must be JSON (or @FILE): ${e instanceof Error ? e.message : String(e)}`)
  }
}

function stringRecord(value: unknown, flag: string): Record<string, string> {
  if (!isRecord(value)) throw new UsageError(`${flag} must be a JSON object of strings`)
  const out = Object.create(null) as Record<string, string>
  for (const [k, v] of Object.entries(value)) {
    if (typeof v !== 'string') throw new UsageError(`${flag}: "${k}" must be a string`)
    out[k] = v
  }
  return out
}

/** Runs `sluice render-template`. */
export async function renderCommand(file: string, values: Values, io: CliIo): Promise<number> {
  const source = await readText(file, 'template', io.cwd)
  const input: TemplateInput = {}
  const bodyPath = str(values, 'body')
  if (bodyPath === '-') {
    if (io.readStdin === undefined) throw new UsageError('--body -: standard input is not available')
    input.body = await io.readStdin()
  } else if (bodyPath !== undefined) input.body = await readText(bodyPath, '--body file', io.cwd)
  const context = await jsonFlag(values, 'context', io)
  if (context !== undefined) {
    if (!isRecord(context)) throw new UsageError('--context must be a JSON object')
    input.context = context
  }
  const variables = await jsonFlag(values, 'stage-variables', io)
  if (variables !== undefined) input.stageVariables = stringRecord(variables, '--stage-variables')
  const params = await jsonFlag(values, 'params', io)
  if (params !== undefined) {
    if (!isRecord(params)) throw new UsageError('--params must be a JSON object with path, querystring and header objects')
    const out: NonNullable<TemplateInput['params']> = {}
    for (const k of Object.keys(params)) {
      if (k !== 'path' && k !== 'querystring' && k !== 'header') throw new UsageError(`--params: unknown part "${k}"; expected path, querystring or header`)
      Object.assign(out, { [k]: stringRecord(params[k], `--params.${k}`) })
    }
    input.params = out
  }

  const template = compileTemplate(source, undefined, file)
  let result
  try {
    result = template.render(input)
  } catch (e) {
    if (e instanceof TemplateError) {
      io.err(`${file}: the template failed: ${e.message}\n`)
      return EXIT.FAILURE
    }
    throw e
  }
  if (values['json'] === true) io.out(`${JSON.stringify({ body: result.body, overrides: result.overrides }, null, 2)}\n`)
  else io.out(result.body)
  return EXIT.OK
}
