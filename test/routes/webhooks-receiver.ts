import { createServer, type IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'

/** One request a receiver got. */
export interface Received {
  method: string
  path: string
  headers: IncomingHttpHeaders
  /** The raw body, as signed. */
  body: string
}

/** How to answer the n-th request (0-based) of a path. */
export type Responder = (req: Received, n: number) => { status: number, body?: string, delayMs?: number }

/** A local HTTP server on 127.0.0.1 recording requests and answering as told (default 200). */
export interface Receiver {
  /** Base URL, e.g. `http://127.0.0.1:41234`. */
  url: string
  requests: Received[]
  /** Requests received on a path (`/hook`). */
  on: (path: string) => Received[]
  /** Sets the answers of a path. */
  respond: (path: string, responder: Responder) => void
  /** Waits until a path got `count` requests (throws after `timeoutMs`). */
  waitFor: (path: string, count: number, timeoutMs?: number) => Promise<Received[]>
  close: () => Promise<void>
}

/** Starts a receiver; close it on teardown. */
export async function startReceiver (): Promise<Receiver> {
  const requests: Received[] = []
  const responders = new Map<string, Responder>()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = (req.url ?? '/').split('?')[0] as string
      const got: Received = { method: req.method ?? '', path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8') }
      const n = requests.filter((r) => r.path === path).length
      requests.push(got)
      const answer = responders.get(path)?.(got, n) ?? { status: 200 }
      const send = (): void => { res.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.body ?? 'ok') }
      if (answer.delayMs !== undefined) setTimeout(send, answer.delayMs)
      else send()
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  const on = (path: string): Received[] => requests.filter((r) => r.path === path)
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    on,
    respond: (path, responder) => { responders.set(path, responder) },
    waitFor: async (path, count, timeoutMs = 5000) => {
      const started = Date.now()
      while (on(path).length < count) {
        if (Date.now() - started > timeoutMs) throw new Error(`${path}: ${on(path).length} of ${count} requests after ${timeoutMs} ms`)
        await new Promise((resolve) => setTimeout(resolve, 10))
      }
      return on(path)
    },
    close: async () => {
      server.closeAllConnections()
      await new Promise<void>((resolve) => server.close(() => resolve()))
    }
  }
}

/** Polls `probe` until it returns a value other than undefined (throws after `timeoutMs`). */
export async function eventually<T> (probe: () => Promise<T | undefined>, timeoutMs = 15000): Promise<T> {
  const started = Date.now()
  for (;;) {
    const value = await probe()
    if (value !== undefined) return value
    if (Date.now() - started > timeoutMs) throw new Error(`condition not met within ${timeoutMs} ms`)
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
}
