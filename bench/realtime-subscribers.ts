/**
 * The realtime bench's SSE subscribers, in a process of their own (bench/realtime.ts forks
 * it): reading 1,000 streams costs CPU, and in the load generator's process it would slow
 * autocannon down and pass for server cost. Counts event frames per subscriber without
 * decoding them (a frame starts with `id: ` right after the previous frame's blank line);
 * every `LATENCY_EVERY`-th subscriber also parses `data.at` for the delivery latency.
 *
 * Messages from the parent: `{ cmd: 'open', url, token, count }` → `{ opened, connected }`;
 * `{ cmd: 'stats' }` → `SubscriberStats` (latencies since the previous `stats`); `{ cmd: 'close' }`.
 */
import { request, type IncomingMessage } from 'node:http'

export interface SubscriberStats {
  counts: number[]
  overflows: number
  latencies: number[]
}

export type SubscriberCommand =
  | { cmd: 'open', url: string, token: string, count: number }
  | { cmd: 'stats' }
  | { cmd: 'close' }

const LATENCY_EVERY = 10
const EVENT_START = Buffer.from('\n\nid: ')
const OVERFLOW = Buffer.from('event: overflow')

interface Sub { res: IncomingMessage | null, count: number, overflow: boolean }

const subs: Sub[] = []
let latencies: number[] = []

/** Counts `\n\nid: ` across chunks (the tail of the previous chunk is kept for a split marker). */
function counter (sub: Sub): (chunk: Buffer) => void {
  let tail: Buffer = Buffer.alloc(0)
  return (chunk) => {
    const buf = tail.length > 0 ? Buffer.concat([tail, chunk]) : chunk
    let at = buf.indexOf(EVENT_START)
    while (at >= 0) {
      sub.count++
      at = buf.indexOf(EVENT_START, at + EVENT_START.length)
    }
    if (buf.includes(OVERFLOW)) sub.overflow = true
    tail = buf.subarray(Math.max(0, buf.length - (EVENT_START.length - 1)))
  }
}

/** The sampled subscribers parse each frame's `"at"` (the change's insert time). */
function parser (sub: Sub): (chunk: Buffer) => void {
  let text = ''
  return (chunk) => {
    text += chunk.toString('utf8')
    let cut: number
    while ((cut = text.indexOf('\n\n')) >= 0) {
      const frame = text.slice(0, cut)
      text = text.slice(cut + 2)
      if (frame.startsWith('id: ')) {
        sub.count++
        const m = /"at":"([^"]+)"/.exec(frame)
        if (m !== null) latencies.push(Date.now() - Date.parse(m[1] as string))
      } else if (frame.startsWith('event: overflow')) sub.overflow = true
    }
  }
}

async function open (url: string, token: string, sampled: boolean): Promise<Sub> {
  const sub: Sub = { res: null, count: 0, overflow: false }
  return await new Promise((resolve) => {
    const req = request(url, { headers: { authorization: `Bearer ${token}` }, agent: false }, (res) => {
      sub.res = res
      res.on('data', sampled ? parser(sub) : counter(sub))
      resolve(sub)
    })
    req.on('error', () => { resolve(sub) })
    req.end()
  })
}

process.on('message', (msg: SubscriberCommand) => {
  void (async () => {
    if (msg.cmd === 'open') {
      for (let i = 0; i < msg.count; i++) subs.push(await open(msg.url, msg.token, i % LATENCY_EVERY === 0))
      process.send?.({ opened: subs.length, connected: subs.filter((s) => s.res?.statusCode === 200).length })
    } else if (msg.cmd === 'stats') {
      const stats: SubscriberStats = { counts: subs.map((s) => s.count), overflows: subs.filter((s) => s.overflow).length, latencies }
      latencies = []
      process.send?.(stats)
    } else {
      for (const s of subs) s.res?.destroy()
      process.disconnect()
    }
  })()
})
