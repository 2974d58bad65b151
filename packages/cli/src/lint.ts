/**
 * `sluice lint <api>`: what import (and then the gateway) would reject or warn about, each at a
 * JSON pointer into the document.
 */
import { compileApi, createApi, importOpenApi, isSluiceConfigError, type ApiDefinition, type IntegrationHandler } from '@sluice/core'
import { rewrites, str, type Values } from './args.js'
import { parseData, readText } from './files.js'
import { loadHandlers } from './handlers.js'
import { EXIT, UsageError, type CliIo } from './io.js'
import { detectFormat } from './load-api.js'
import { lintDocument, type Diagnostic } from './openapi.js'

/** The result of linting one file. */
export interface LintReport {
  readonly file: string
  readonly format: 'openapi' | 'definition' | 'unknown'
  readonly diagnostics: readonly Diagnostic[]
}

function fromError(e: unknown): Diagnostic {
  if (isSluiceConfigError(e)) {
    const pointer = e.option.startsWith('/') ? (e.option === '/' ? '' : e.option) : ''
    const message = e.message.startsWith(`${e.option}: `) ? e.message.slice(e.option.length + 2) : e.message
    return { pointer, message, severity: 'error' }
  }
  throw e
}

/** Checks a definition as `serve` would: compiled, and (with handlers) every handler found. */
function checkDefinition(definition: ApiDefinition, integrations: Record<string, IntegrationHandler> | undefined): Diagnostic[] {
  try {
    if (integrations === undefined) compileApi(definition)
    else createApi(definition, { integrations })
    return []
  } catch (e) {
    return [fromError(e)]
  }
}

/** Lints API file text. */
export function lintText(text: string, file: string, integrations?: Record<string, IntegrationHandler>, rewriteUri?: Record<string, string>): LintReport {
  let document: unknown
  try {
    document = parseData(text, file)
  } catch (e) {
    if (e instanceof UsageError) return { file, format: 'unknown', diagnostics: [{ pointer: '', message: e.message, severity: 'error' }] }
    throw e
  }
  let format: 'openapi' | 'definition'
  try {
    format = detectFormat(document, file)
  } catch (e) {
    if (e instanceof UsageError) return { file, format: 'unknown', diagnostics: [{ pointer: '', message: e.message, severity: 'error' }] }
    throw e
  }
  if (format === 'definition') return { file, format, diagnostics: checkDefinition(document as ApiDefinition, integrations) }
  const diagnostics = [...lintDocument(document)]
  if (!diagnostics.some((d) => d.severity === 'error')) {
    // what lint passes must also build: the imported definition through the gateway's own checks
    let definition: ApiDefinition | undefined
    try {
      definition = importOpenApi(document, rewriteUri === undefined ? {} : { rewriteUri }).definition
    } catch (e) {
      const issues = (e as { issues?: unknown }).issues
      if (Array.isArray(issues)) diagnostics.push(...(issues as Diagnostic[]))
      else diagnostics.push(fromError(e))
    }
    if (definition !== undefined) diagnostics.push(...checkDefinition(definition, integrations).map((d) => ({ ...d, message: `after import: ${d.message}` })))
  }
  return { file, format, diagnostics }
}

/** Formats a report for the terminal. */
export function formatReport(report: LintReport): string {
  const errors = report.diagnostics.filter((d) => d.severity === 'error').length
  const warnings = report.diagnostics.length - errors
  const lines = report.diagnostics.map((d) => `${report.file}: ${d.severity === 'error' ? 'error  ' : 'warning'} ${d.pointer || '/'}  ${d.message}`)
  const summary = report.diagnostics.length === 0 ? `${report.file}: no problems` : `${report.file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`
  return [...lines, summary].join('\n') + '\n'
}

/** Runs `sluice lint`. */
export async function lintCommand(file: string, values: Values, io: CliIo): Promise<number> {
  const text = await readText(file, 'API file', io.cwd)
  const handlersPath = str(values, 'handlers')
  const integrations = handlersPath === undefined ? undefined : await loadHandlers(handlersPath, io.cwd)
  const report = lintText(text, file, integrations, rewrites(values))
  if (values['json'] === true) io.out(`${JSON.stringify(report, null, 2)}\n`)
  else io.out(formatReport(report))
  return report.diagnostics.some((d) => d.severity === 'error') ? EXIT.FAILURE : EXIT.OK
}
