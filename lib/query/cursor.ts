import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import { invalidPayload, type ApiError } from '../errors.js'
import type { CompiledEntity, CompiledField } from '../metadata/compiled.js'
import type { SortTerm } from './types.js'

/**
 * Keyset pagination (docs/QUERYING.md). A cursor is `base64url(payload).base64url(mac)`: the
 * payload names the entity and the sort it was made for and holds the sort key values of the
 * last row (as PostgreSQL text, so timestamps keep their microseconds); the HMAC, keyed by a
 * secret derived from the app's secret, makes any edit a 400.
 */

const MAC_BYTES = 16
const MAX_CURSOR_LENGTH = 8192
const keyCache = new Map<string, Buffer>()

/** Value of a key column after the last row: text as PostgreSQL prints it, or null. */
export type CursorValues = ReadonlyArray<string | null>

interface Payload { e: string, s: string, v: CursorValues }

/** The HMAC key of an app's cursors (derived, so the app secret itself signs nothing else). */
export function cursorKeyOf (appSecret: string): Buffer {
  let k = keyCache.get(appSecret)
  if (k === undefined) {
    k = createHash('sha256').update(`rocket-cursor\u0000${appSecret}`).digest()
    if (keyCache.size > 1000) keyCache.clear()
    keyCache.set(appSecret, k)
  }
  return k
}

/** The sort terms a keyset walks: the requested ones, then the primary key as tie-breaker. */
export function keysetTerms (entity: CompiledEntity, sort: readonly SortTerm[]): SortTerm[] {
  if (sort.some((s) => s.field.isPk)) return sort.slice()
  return [...sort, { field: entity.pk, desc: false }]
}

function signatureOf (terms: readonly SortTerm[]): string {
  return terms.map((t) => (t.desc ? '-' : '') + t.field.name).join(',')
}

function mac (key: Buffer, body: string): Buffer {
  return createHmac('sha256', key).update(body).digest().subarray(0, MAC_BYTES)
}

export function encodeCursor (key: Buffer, entity: CompiledEntity, terms: readonly SortTerm[], values: CursorValues): string {
  const payload: Payload = { e: entity.name, s: signatureOf(terms), v: values }
  const body = Buffer.from(JSON.stringify(payload)).toString('base64url')
  return `${body}.${mac(key, body).toString('base64url')}`
}

function bad (message: string): ApiError {
  return invalidPayload(`Invalid query parameter 'cursor': ${message}`, [{ field: 'cursor', message }])
}

/** The key values a cursor carries; 400 when it was altered, made for another entity or sort, or is not a cursor. */
export function decodeCursor (key: Buffer, entity: CompiledEntity, terms: readonly SortTerm[], token: string): CursorValues {
  const dot = token.indexOf('.')
  if (token.length > MAX_CURSOR_LENGTH || dot < 0) throw bad('not a cursor this API issued')
  const body = token.slice(0, dot)
  // Compared as text: base64url decoding ignores a last character's spare bits, so comparing the
  // decoded bytes would accept several spellings of one MAC.
  const given = Buffer.from(token.slice(dot + 1))
  const expected = Buffer.from(mac(key, body).toString('base64url'))
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw bad('the cursor was altered or not issued by this API')
  let payload: Payload
  try {
    payload = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as Payload
  } catch {
    throw bad('not a cursor this API issued')
  }
  if (payload.e !== entity.name) throw bad(`the cursor belongs to another entity ('${String(payload.e)}')`)
  if (payload.s !== signatureOf(terms)) throw bad(`the cursor was made for sort '${String(payload.s)}'; repeat the same sort`)
  if (!Array.isArray(payload.v) || payload.v.length !== terms.length || payload.v.some((v) => v !== null && typeof v !== 'string')) {
    throw bad('not a cursor this API issued')
  }
  return payload.v
}

/** Whether a column never holds NULL: the primary key and auto timestamps. */
function neverNull (f: CompiledField): boolean {
  return f.isPk || f.def.auto !== undefined
}

/**
 * The rows strictly after `values` in the order of `terms` (ASC sorts NULLs last, DESC first,
 * as PostgreSQL does). With one direction and no NULL possible it is a row comparison an index
 * on the sort columns serves directly; otherwise the expanded OR of prefixes.
 */
export function renderKeyset (terms: readonly SortTerm[], values: CursorValues, params: unknown[]): string {
  const desc = terms[0]?.desc === true
  if (terms.every((t, i) => t.desc === desc && neverNull(t.field) && values[i] !== null)) {
    const cols = terms.map((t) => t.field.column)
    const ps = values.map((v) => { params.push(v); return `$${params.length}` })
    return cols.length === 1 ? `${cols[0] as string} ${desc ? '<' : '>'} ${ps[0] as string}` : `(${cols.join(', ')}) ${desc ? '<' : '>'} (${ps.join(', ')})`
  }
  const ors: string[] = []
  const eqs: string[] = []
  terms.forEach((t, i) => {
    const v = values[i] ?? null
    const col = t.field.column
    let p = ''
    if (v !== null) { params.push(v); p = `$${params.length}` }
    let after: string | null
    if (v === null) after = t.desc ? `${col} IS NOT NULL` : null
    else if (t.desc) after = `${col} < ${p}`
    else after = neverNull(t.field) ? `${col} > ${p}` : `(${col} > ${p} OR ${col} IS NULL)`
    if (after !== null) ors.push(eqs.length === 0 ? after : `(${eqs.join(' AND ')} AND ${after})`)
    eqs.push(v === null ? `${col} IS NULL` : `${col} = ${p}`)
  })
  return ors.length === 0 ? 'FALSE' : `(${ors.join(' OR ')})`
}
