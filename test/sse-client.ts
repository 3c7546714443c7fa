import { request, type IncomingHttpHeaders } from 'node:http'

/** One Server-Sent Event as a client parses it. */
export interface SseEvent {
  id: string | null
  event: string
  data: string
}

/** A real HTTP SSE connection (node:http, not inject): events as they arrive, comments, the end. */
export interface SseStream {
  status: number
  headers: IncomingHttpHeaders
  /** The body of a non-200 answer (the error envelope). */
  body: string
  events: SseEvent[]
  comments: string[]
  /** Resolves when the server ended the stream (or the connection closed). */
  ended: Promise<void>
  isEnded: () => boolean
  /** Waits until `count` events (optionally: matching `pred`) arrived; rejects after `timeoutMs`. */
  waitFor: (count: number, opts?: { timeoutMs?: number, pred?: (e: SseEvent) => boolean }) => Promise<SseEvent[]>
  pause: () => void
  resume: () => void
  close: () => void
}

/** Opens `url` (absolute) and parses the event stream; resolves once the response headers arrived. */
export async function openSse (url: string, headers: Record<string, string> = {}): Promise<SseStream> {
  return await new Promise((resolve, reject) => {
    const req = request(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const events: SseEvent[] = []
      const comments: string[] = []
      const listeners = new Set<() => void>()
      let buffer = ''
      let body = ''
      let ended = false
      const notify = (): void => { for (const l of [...listeners]) l() }
      const ending = new Promise<void>((resolve) => {
        const finish = (): void => { ended = true; notify(); resolve() }
        res.on('end', finish)
        res.on('close', finish)
        res.on('error', finish)
      })
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => {
        if (res.statusCode !== 200) { body += chunk; return }
        buffer += chunk
        let cut: number
        while ((cut = buffer.indexOf('\n\n')) >= 0) {
          const frame = buffer.slice(0, cut)
          buffer = buffer.slice(cut + 2)
          const ev: SseEvent = { id: null, event: 'message', data: '' }
          let isEvent = false
          for (const line of frame.split('\n')) {
            if (line.startsWith(':')) { comments.push(line.slice(1).trim()); continue }
            const sep = line.indexOf(':')
            const key = sep < 0 ? line : line.slice(0, sep)
            const value = sep < 0 ? '' : line.slice(sep + 1).replace(/^ /, '')
            isEvent = true
            if (key === 'id') ev.id = value
            else if (key === 'event') ev.event = value
            else if (key === 'data') ev.data = ev.data === '' ? value : `${ev.data}\n${value}`
          }
          if (isEvent) events.push(ev)
        }
        notify()
      })
      const stream: SseStream = {
        status: res.statusCode ?? 0,
        headers: res.headers,
        get body () { return body },
        events,
        comments,
        ended: ending,
        isEnded: () => ended,
        waitFor: async (count, opts = {}) => await new Promise((resolve, reject) => {
          const pick = (): SseEvent[] => (opts.pred === undefined ? events : events.filter(opts.pred))
          const check = (): void => {
            if (pick().length >= count) { cleanup(); resolve(pick()); return }
            if (ended) { cleanup(); reject(new Error(`stream ended with ${pick().length}/${count} events: ${JSON.stringify(events.map((e) => `${e.event}#${e.id ?? ''}`))}`)) }
          }
          const timer = setTimeout(() => { cleanup(); reject(new Error(`timeout: ${pick().length}/${count} events: ${JSON.stringify(events.map((e) => `${e.event}#${e.id ?? ''}`))}`)) }, opts.timeoutMs ?? 10_000)
          const cleanup = (): void => { clearTimeout(timer); listeners.delete(check) }
          listeners.add(check)
          check()
        }),
        pause: () => { res.pause() },
        resume: () => { res.resume() },
        close: () => { req.destroy() }
      }
      if (res.statusCode !== 200) { void ending.then(() => { resolve(stream) }); return }
      resolve(stream)
    })
    req.on('error', reject)
    req.end()
  })
}

/** Parsed `data` of a change event. */
export function dataOf (e: SseEvent): Record<string, any> {
  return JSON.parse(e.data) as Record<string, any>
}
