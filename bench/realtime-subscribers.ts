/**
 * The realtime bench's SSE subscribers, in a process of their own (bench/realtime.ts forks
 * it): reading 1,000 streams costs CPU, and in the load generator's process it would slow
 * autocannon down and pass for server cost. Each stream is a raw TCP connection (no HTTP
 * parser: a GET written by hand, the chunked body read as bytes), so the client spends as little
 * as Node allows per wakeup. Every `LATENCY_EVERY`-th subscriber parses every frame: it counts
 * the events and measures the delivery latency from `"at"` (the change's insert time). The others
 * only note the newest id of each read (one `lastIndexOf`, nothing that scans the whole read: a client that counted every event
 * here would cost this shared machine more CPU than Rocket's fan-out): the parent checks that
 * each of them ends at the newest change, and each sampled one that it got every event.

 * A stream the server ends (an `overflow`, a restart) is reopened with `Last-Event-ID` set to
 * the last id received, as a client following docs/reference.md "Realtime" does, so its count
 * stays comparable: nothing lost, nothing twice.
 *
 * Messages from the parent: `{ cmd: 'open', url, token, count }` → `{ opened, connected }`;
 * `{ cmd: 'stats' }` → `SubscriberStats` (latencies since the previous `stats`); `{ cmd: 'close' }`.
 */
import { connect, type Socket } from 'node:net'

export interface SubscriberStats {
  /** Events counted by each sampled subscriber (every `LATENCY_EVERY`-th). */
  counts: number[]
  /** The newest event id each subscriber has received (all of them). */
  lastIds: number[]
  /** Streams the server ended with `event: overflow` (each was reopened with its last id). */
  overflows: number
  latencies: number[]
}

export type SubscriberCommand =
  | { cmd: 'open', url: string, token: string, count: number }
  | { cmd: 'stats' }
  | { cmd: 'close' }

const LATENCY_EVERY = 10
const ID_LINE = Buffer.from('\nid: ')
const OVERFLOW = Buffer.from('event: overflow')
const AT = /"at":"([^"]+)"/

interface Sub {
  socket: Socket | null
  status: number
  count: number
  lastId: string
  overflows: number
  sampled: boolean
  /** The last two reads (cheap readers look for an overflow notice in them when the stream ends). */
  last: Buffer
  previous: Buffer
}

const subs: Sub[] = []
let latencies: number[] = []
let closing = false
let target: { host: string, port: number, path: string, token: string } | null = null

const EMPTY = Buffer.alloc(0)

/** Parses the status line, then hands every later read to `onData`; resolves `onStatus` once known. */
function statusThen (sub: Sub, onStatus: () => void, onData: (chunk: Buffer) => void): (chunk: Buffer) => void {
  let head = ''
  return (chunk) => {
    if (sub.status !== 0) { onData(chunk); return }
    head += chunk.toString('latin1')
    if (!head.includes('\r\n')) return
    sub.status = Number(head.slice(9, 12))
    onStatus()
    onData(Buffer.from(head, 'latin1'))
  }
}

/**
 * Notes in `sub.lastId` the id of the last `id:` line of `buf`: null when `buf` holds none, an
 * empty buffer when that line is complete, else the line's start (cut off at the end of `buf`:
 * the next read completes it).
 */
function newestIdIn (sub: Sub, buf: Buffer): Buffer | null {
  const at = buf.lastIndexOf(ID_LINE)
  if (at < 0) return null
  const end = buf.indexOf(0x0a, at + ID_LINE.length)
  if (end < 0) return Buffer.from(buf.subarray(at))
  sub.lastId = buf.toString('latin1', at + ID_LINE.length, end)
  return EMPTY
}

/**
 * The cheap reader (9 of 10 subscribers): only the newest complete id of each read — one
 * `lastIndexOf` per read, whatever the batch size — and overflow notices. The previous read's
 * tail (`pending`: an id line it cut off, else its last bytes, where `\nid: ` itself may be cut)
 * is completed from the head of this one first; an id line of this read's own is newer.
 */
function idTracker (sub: Sub): (chunk: Buffer) => void {
  let pending: Buffer = EMPTY
  return (chunk) => {
    const joined = pending.length > 0 ? Buffer.concat([pending, chunk.subarray(0, 64)]) : chunk
    const head = joined !== chunk ? newestIdIn(sub, joined) : null
    const own = newestIdIn(sub, chunk)
    pending = own ?? head ?? EMPTY
    if (pending.length === 0) {
      // A read shorter than that keeps the previous tail too (`joined` then holds all of this read).
      const tail = chunk.length >= ID_LINE.length - 1 ? chunk : joined
      pending = Buffer.from(tail.subarray(Math.max(0, tail.length - (ID_LINE.length - 1))))
    }
    sub.previous = sub.last
    sub.last = chunk
  }
}

/** The full reader (every `LATENCY_EVERY`-th subscriber): counts every event, its id and its `"at"`. */
function frameParser (sub: Sub): (chunk: Buffer) => void {
  let text = ''
  return (chunk) => {
    text += chunk.toString('utf8')
    const cut = text.lastIndexOf('\n\n')
    if (cut < 0) return
    const now = Date.now()
    for (const frame of text.slice(0, cut).split('\n\n')) {
      const id = /(?:^|\n)id: (\d+)\n/.exec(frame)
      if (id !== null) {
        sub.count++
        sub.lastId = id[1] as string
        const at = AT.exec(frame)
        if (at !== null) latencies.push(now - Date.parse(at[1] as string))
      } else if (frame.includes('event: overflow')) sub.overflows++
    }
    text = text.slice(cut + 2)
  }
}

/** Opens (or reopens, with the last id) one subscriber's stream; resolves once the status line arrived or it failed. */
async function open (sub: Sub): Promise<void> {
  const t = target
  if (t === null) return
  sub.status = 0
  await new Promise<void>((resolve) => {
    const socket = connect({ host: t.host, port: t.port })
    sub.socket = socket
    const resume = sub.lastId === '' ? '' : `Last-Event-ID: ${sub.lastId}\r\n`
    socket.write(`GET ${t.path} HTTP/1.1\r\nHost: ${t.host}:${t.port}\r\nAuthorization: Bearer ${t.token}\r\nAccept: text/event-stream\r\nConnection: close\r\n${resume}\r\n`)
    socket.on('data', statusThen(sub, resolve, sub.sampled ? frameParser(sub) : idTracker(sub)))
    socket.on('error', () => { resolve() })
    socket.on('close', () => {
      resolve()
      // An overflow notice is the stream's last frame: looked for once, when the server closed it.
      if (!sub.sampled && (sub.last.includes(OVERFLOW) || sub.previous.includes(OVERFLOW))) sub.overflows++
      if (!closing && sub.status === 200) void open(sub)
    })
  })
}

process.on('message', (msg: SubscriberCommand) => {
  void (async () => {
    if (msg.cmd === 'open') {
      const url = new URL(msg.url)
      target = { host: url.hostname, port: Number(url.port), path: url.pathname + url.search, token: msg.token }
      for (let i = 0; i < msg.count; i++) {
        const sub: Sub = { socket: null, status: 0, count: 0, lastId: '', overflows: 0, sampled: i % LATENCY_EVERY === 0, last: EMPTY, previous: EMPTY }
        subs.push(sub)
        await open(sub)
      }
      process.send?.({ opened: subs.length, connected: subs.filter((s) => s.status === 200).length })
    } else if (msg.cmd === 'stats') {
      const stats: SubscriberStats = { counts: subs.filter((s) => s.sampled).map((s) => s.count), lastIds: subs.map((s) => Number(s.lastId === '' ? 0 : s.lastId)), overflows: subs.reduce((n, s) => n + s.overflows, 0), latencies }
      latencies = []
      process.send?.(stats)
    } else {
      closing = true
      for (const s of subs) s.socket?.destroy()
      process.disconnect()
    }
  })()
})
