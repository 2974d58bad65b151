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
    await waitPing(this.port)
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

/** A three-master Redis Cluster of the test's own (no replicas), on loopback ports, stopped at the end. */
export class OwnCluster {
  readonly #children: ChildProcess[] = []
  readonly ports: number[] = []
  #dir = ''

  async start(): Promise<void> {
    const { mkdtempSync } = await import('node:fs')
    const { tmpdir } = await import('node:os')
    const { join } = await import('node:path')
    const { execFile } = await import('node:child_process')
    this.#dir = mkdtempSync(join(tmpdir(), 'sluice-cluster-'))
    for (let i = 0; i < 3; i++) {
      const port = await freePort()
      this.ports.push(port)
      const child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--dir', this.#dir],
        { stdio: 'ignore' },
      )
      this.#children.push(child)
    }
    for (const port of this.ports) await waitPing(port)
    await new Promise<void>((resolve, reject) =>
      execFile('redis-cli', ['--cluster', 'create', ...this.ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 20_000 }, (error) => (error ? reject(error) : resolve())),
    )
    const deadline = Date.now() + 10_000
    for (;;) {
      const c = new Redis(this.ports[0] as number, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null })
      c.on('error', () => undefined)
      try {
        await c.connect()
        const info = await c.cluster('INFO')
        c.disconnect()
        if (/cluster_state:ok/.test(info)) return
      } catch {
        c.disconnect()
      }
      if (Date.now() > deadline) throw new Error('the test cluster did not become ready')
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async stop(): Promise<void> {
    await Promise.all(
      this.#children.map((child) => {
        if (child.exitCode !== null || child.signalCode !== null) return undefined
        const gone = new Promise((r) => child.once('exit', r))
        child.kill('SIGKILL')
        return gone
      }),
    )
    if (this.#dir !== '') {
      const { rmSync } = await import('node:fs')
      rmSync(this.#dir, { recursive: true, force: true })
    }
  }
}

async function waitPing(port: number): Promise<void> {
  const deadline = Date.now() + 5_000
  for (;;) {
    const probe = new Redis(port, '127.0.0.1', { lazyConnect: true, retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0, connectTimeout: 200 })
    probe.on('error', () => undefined)
    try {
      await probe.connect()
      await probe.ping()
      probe.disconnect()
      return
    } catch {
      probe.disconnect()
      if (Date.now() > deadline) throw new Error(`redis-server did not start on port ${port}`)
      await new Promise((r) => setTimeout(r, 20))
    }
  }
}
