/**
 * `run(argv, io)`: the whole `sluice` command as a function, so tests run it with captured output.
 */
import { commandHelp, mainHelp, KEYS_IMPORT, LINT, RENDER, SERVE, USAGE } from './help.js'
import { parseCommand, type CommandSpec, type Values } from './args.js'
import { describeError, EXIT, UsageError, type CliIo } from './io.js'
import { keysImportCommand } from './keys-command.js'
import { lintCommand } from './lint.js'
import { renderCommand } from './render.js'
import { serveCommand } from './serve.js'
import { usageCommand } from './usage.js'

/** The version of `@sluice/cli` (checked against package.json by a test). */
export const VERSION = '0.1.0'

type Handler = (positionals: string[], values: Values, io: CliIo) => Promise<number>

const HANDLERS: ReadonlyArray<[CommandSpec, Handler]> = [
  [SERVE, (p, v, io) => serveCommand(p[0] as string, v, io)],
  [LINT, (p, v, io) => lintCommand(p[0] as string, v, io)],
  [KEYS_IMPORT, (p, v, io) => keysImportCommand(p[0] as string, v, io)],
  [USAGE, (_p, v, io) => usageCommand(v, io)],
  [RENDER, (p, v, io) => renderCommand(p[0] as string, v, io)],
]

/**
 * Runs the `sluice` command with `argv` (the arguments after `sluice`) and resolves with the exit
 * code: 0 ok, 1 failure, 2 bad usage or configuration. Never throws; errors are written to
 * `io.err` without a stack trace (except for unexpected ones).
 *
 * @example
 * const code = await run(['lint', 'api.yaml', '--json'], { out: (s) => process.stdout.write(s), err: (s) => process.stderr.write(s) })
 */
export async function run(argv: readonly string[], io: CliIo): Promise<number> {
  const [first, ...rest] = argv
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    const topic = first === 'help' ? rest.join(' ') : ''
    const spec = HANDLERS.find(([s]) => s.name === topic)?.[0]
    io.out(spec ? commandHelp(spec) : mainHelp(VERSION))
    return first === undefined ? EXIT.USAGE : EXIT.OK
  }
  if (first === '--version' || first === '-v') {
    io.out(`${VERSION}\n`)
    return EXIT.OK
  }
  let spec: CommandSpec | undefined
  try {
    let args = rest
    let entry = HANDLERS.find(([s]) => s.name === first)
    if (first === 'keys') {
      const sub = rest[0]
      if (sub === undefined || sub === '--help' || sub === '-h') {
        io.out(commandHelp(KEYS_IMPORT))
        return sub === undefined ? EXIT.USAGE : EXIT.OK
      }
      if (sub !== 'import') throw new UsageError(`unknown keys command "${sub}"; the keys command is: sluice keys import <keys.csv>`)
      entry = HANDLERS.find(([s]) => s === KEYS_IMPORT)
      args = rest.slice(1)
    }
    if (entry === undefined) throw new UsageError(`unknown command "${first}"; run sluice --help for the commands`)
    spec = entry[0]
    const { values, positionals } = parseCommand(spec, args)
    if (values['help'] === true) {
      io.out(commandHelp(spec))
      return EXIT.OK
    }
    return await entry[1](positionals, values, io)
  } catch (e) {
    const { message, code } = describeError(e)
    io.err(`sluice: ${message}\n`)
    if (e instanceof UsageError && e.showUsage && spec !== undefined) io.err(`usage: ${spec.usage}\n(sluice ${spec.name} --help for the options)\n`)
    return code
  }
}
