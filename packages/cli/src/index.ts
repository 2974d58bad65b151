/**
 * `@sluice/cli`: the `sluice` command — `serve`, `lint`, `keys import`, `usage`,
 * `render-template` — and the functions behind it, for tests and embedding.
 */
export { run, VERSION } from './run.js'
export { EXIT, UsageError, RuntimeError, describeError } from './io.js'
export type { CliIo } from './io.js'
export { parseCommand } from './args.js'
export type { CommandSpec, Values } from './args.js'
export { COMMANDS, mainHelp, commandHelp } from './help.js'
export { CONFIG_KEYS, validateConfig, loadConfig, gatewayOptions, parsePort } from './config.js'
export type { SluiceConfig } from './config.js'
export { loadApi, parseApi, detectFormat } from './load-api.js'
export type { LoadedApi, ApiFormat } from './load-api.js'
export { loadHandlers, handlersOf } from './handlers.js'
export { csvKeyId, keysFromCsv, loadKeysCsv } from './keys.js'
export { createServer, redactUrl } from './server.js'
export type { ServerOptions, SluiceServer } from './server.js'
export { lintText, formatReport } from './lint.js'
export type { LintReport } from './lint.js'
export type { Diagnostic } from './openapi.js'
export { keysSummary } from './keys-command.js'
export { formatUsage } from './usage.js'
export { parseData } from './files.js'
