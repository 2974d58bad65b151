/**
 * The usage texts (`sluice --help`, `sluice <command> --help`).
 */
import type { CommandSpec } from './args.js'

export const SERVE: CommandSpec = {
  name: 'serve',
  usage: 'sluice serve <api.yaml|api.json> [options]',
  summary: 'serve an API (OpenAPI with x-amazon-apigateway-* extensions, or a sluice definition)',
  positionals: [1, 1],
  options: {
    port: { type: 'string', short: 'p' },
    host: { type: 'string' },
    stage: { type: 'string' },
    handlers: { type: 'string' },
    config: { type: 'string', short: 'c' },
    keys: { type: 'string' },
    redis: { type: 'string' },
    'base-path': { type: 'string' },
    'rewrite-uri': { type: 'string', multiple: true },
  },
  help: `Options:
  -p, --port N          port to listen on (default 3000; 0 picks a free port, printed)
      --host ADDR       address to listen on (default 127.0.0.1)
      --stage NAME      the stage served: $context.stage, usage plans' apiStages (default prod)
      --handlers FILE   a module exporting Lambda-style handlers by function name
  -c, --config FILE     sluice.yaml: API keys, usage plans, stage variables, cache, ...
      --keys FILE       API keys in API Gateway's CSV import format
      --redis URL       keep throttle, quota, usage and cache state in Redis (default: memory)
      --base-path PATH  serve the API under a base path such as /v1
      --rewrite-uri FROM=TO
                        OpenAPI: point HTTP integrations whose URI starts with FROM at TO
                        instead (repeatable), e.g. a backend on 127.0.0.1

Stops gracefully on SIGINT (Ctrl-C) or SIGTERM. SIGHUP re-reads the API file and switches to it
(a definition that fails validation never replaces the running one).`,
}

export const LINT: CommandSpec = {
  name: 'lint',
  usage: 'sluice lint <api.yaml|api.json> [--json] [--handlers FILE]',
  summary: 'report what import would reject or warn about, with JSON pointers',
  positionals: [1, 1],
  options: { json: { type: 'boolean' }, handlers: { type: 'string' }, 'rewrite-uri': { type: 'string', multiple: true } },
  help: `Options:
      --json            print the diagnostics as JSON
      --handlers FILE   also check that every Lambda integration has a handler
      --rewrite-uri FROM=TO  as for serve (the rewritten URIs are checked)

Exit code 1 when any diagnostic is an error.`,
}

export const KEYS_IMPORT: CommandSpec = {
  name: 'keys import',
  usage: 'sluice keys import <keys.csv> [--out FILE] [--json]',
  summary: "validate API keys in API Gateway's CSV format; print a summary or write JSON",
  positionals: [1, 1],
  options: { out: { type: 'string', short: 'o' }, json: { type: 'boolean' } },
  help: `Options:
  -o, --out FILE        write { "apiKeys": [...] } (with the key values) to FILE, mode 0600
      --json            print the keys (without their values) as JSON

Columns: Key and Name (required), Description, Enabled, UsagePlanIds. Every bad row is reported
with its line number (exit code 1).`,
}

export const USAGE: CommandSpec = {
  name: 'usage',
  usage: 'sluice usage --config sluice.yaml --plan ID [--key ID] [--start YYYY-MM-DD --end YYYY-MM-DD] [--redis URL]',
  summary: 'usage report of a usage plan (GetUsage) from the Redis store',
  positionals: [0, 0],
  options: {
    config: { type: 'string', short: 'c' },
    keys: { type: 'string' },
    redis: { type: 'string' },
    plan: { type: 'string' },
    key: { type: 'string' },
    start: { type: 'string' },
    end: { type: 'string' },
    json: { type: 'boolean' },
  },
  help: `Options:
  -c, --config FILE     the server's config (its usage plans and API keys)
      --keys FILE       the server's CSV API keys, if it had --keys
      --redis URL       the Redis the server keeps its state in (or redis.url in the config)
      --plan ID         the usage plan
      --key ID          one API key (its id, or its name when unique)
      --start DATE      first day, YYYY-MM-DD (UTC; default today)
      --end DATE        last day, YYYY-MM-DD (default: the start day)
      --json            print API Gateway's Usage JSON

A server without --redis keeps usage in its own memory, which this command cannot read.`,
}

export const RENDER: CommandSpec = {
  name: 'render-template',
  usage: 'sluice render-template <template.vtl> [--body FILE|-] [--context JSON] [--stage-variables JSON]',
  summary: 'render a mapping template (VTL) as API Gateway would',
  positionals: [1, 1],
  options: {
    body: { type: 'string' },
    context: { type: 'string' },
    'stage-variables': { type: 'string' },
    params: { type: 'string' },
    json: { type: 'boolean' },
  },
  help: `Options:
      --body FILE|-           the payload ($input.body, $input.json(...)); - reads standard input
      --context JSON          $context, e.g. '{"stage":"prod","requestId":"r1"}'
      --stage-variables JSON  $stageVariables, e.g. '{"backend":"http://127.0.0.1:9000"}'
      --params JSON           $input.params(): {"path":{...},"querystring":{...},"header":{...}}
      --json                  print {"body": ..., "overrides": ...} ($context.responseOverride etc.)

A JSON value may also be @FILE to read it from a file.`,
}

export const COMMANDS: readonly CommandSpec[] = [SERVE, LINT, KEYS_IMPORT, USAGE, RENDER]

/** `sluice --help`. */
export function mainHelp(version: string): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length))
  return `sluice ${version}: Amazon API Gateway's request pipeline, standalone

Usage: sluice <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

Options:
  -h, --help      help (also: sluice <command> --help)
  -v, --version   the version

Exit codes: 0 ok, 1 failure (or lint errors, bad key rows), 2 bad usage or configuration.
`
}

/** `sluice <command> --help`. */
export function commandHelp(spec: CommandSpec): string {
  return `Usage: ${spec.usage}

${spec.summary[0]?.toUpperCase() ?? ''}${spec.summary.slice(1)}.

${spec.help}
`
}
