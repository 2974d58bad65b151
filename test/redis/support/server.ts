/**
 * A redis-server of the test's own, on its own loopback port: started, killed, restarted, frozen
 * (SIGSTOP) and thawed (SIGCONT) by the test, and always stopped at the end.
 */
import { spawn, type ChildProcess } from 'node:child_process'
import { createServer } from 'node:net'
import { Redis } from 'ioredis'

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.once('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port
      s.close(() => resolve(port))
    })
  })
}

export class OwnRedis {
  #child: ChildProcess | undefined
  port = 0

  get url(): string {
    return `redis://127.0.0.1:${this.port}`
  }

  /** Starts the server (on the same port after the first time); resolves once it answers PING. */
  async start(): Promise<void> {
    if (this.port === 0) this.port = await freePort()
    const child = spawn('redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--protected-mode', 'yes'], { stdio: 'ignore' })
    this.#child = child
    const deadline = Date.now() + 5_000
    for (;;) {
      const probe = new Redis(this.url, { lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 200 })
      probe.on('error', () => undefined)
      try {
        await probe.connect()
        await probe.ping()
        probe.disconnect()
        return
      } catch {
        probe.disconnect()
        if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${this.port}`)
        await new Promise((r) => setTimeout(r, 20))
      }
    }
  }

  /** Kills the server outright (SIGKILL) and waits for it to be gone. */
  async kill(): Promise<void> {
    const child = this.#child
    if (child === undefined || child.exitCode !== null || child.signalCode !== null) return
    const gone = new Promise((r) => child.once('exit', r))
    child.kill('SIGCONT')
    child.kill('SIGKILL')
    await gone
    this.#child = undefined
  }

  freeze(): void {
    this.#child?.kill('SIGSTOP')
  }

  thaw(): void {
    this.#child?.kill('SIGCONT')
  }

  /** Stops the server, whatever its state. */
  async stop(): Promise<void> {
    await this.kill()
  }
}
