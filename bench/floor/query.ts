/**
 * The floor's hand-written counterparts of S7–S10 (bench/scenarios.ts): keyset and count-less
 * offset pages, `search=`, the status aggregate and bulk create. Each does only what its
 * request needs, with Rocket's response shapes (docs/QUERYING.md), including cursors Rocket
 * accepts: same payload, same HMAC key derivation.
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto'
import fastJson from 'fast-json-stringify'
import { invoices, type Table } from './tables.js'

type Row = Record<string, unknown>
type Run = (text: string, params: unknown[]) => Promise<Row[]>

const MAC_BYTES = 16
const COLS = invoices.select
const LIVE = 'WHERE "deleted_at" IS NULL'

/** Rocket's cursor format (lib/query/cursor.ts) for the invoice primary key order only. */
export class Cursors {
  private readonly key: Buffer
  constructor (appSecret: string) {
    this.key = createHash('sha256').update(`rocket-cursor\u0000${appSecret}`).digest()
  }

  private mac (body: string): Buffer {
    return createHmac('sha256', this.key).update(body).digest().subarray(0, MAC_BYTES)
  }

  encode (id: string): string {
    const body = Buffer.from(JSON.stringify({ e: 'invoice', s: 'id', v: [id] })).toString('base64url')
    return `${body}.${this.mac(body).toString('base64url')}`
  }

  /** The last id a cursor carries, or null when it is not a valid cursor of this order. */
  decode (token: string): string | null {
    const dot = token.indexOf('.')
    if (dot < 0) return null
    const body = token.slice(0, dot)
    const given = Buffer.from(token.slice(dot + 1), 'base64url')
    const expected = this.mac(body)
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null
    const p = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { e?: unknown, s?: unknown, v?: unknown }
    return p.e === 'invoice' && p.s === 'id' && Array.isArray(p.v) && typeof p.v[0] === 'string' ? p.v[0] : null
  }
}

const KEYSET = `SELECT ${COLS}, "id"::text AS _k FROM invoices ${LIVE} AND "id" > $1::uuid ORDER BY "id" LIMIT $2`
const OFFSET = `SELECT ${COLS} FROM invoices ${LIVE} ORDER BY "id" LIMIT $1 OFFSET $2`
const SEARCH_MATCH = '"_search" @@ websearch_to_tsquery(\'simple\'::regconfig, $1)'
const SEARCH = `SELECT c.n AS _n, p.* FROM (SELECT count(*) AS n FROM invoices ${LIVE} AND ${SEARCH_MATCH}) c
  LEFT JOIN LATERAL (SELECT ${COLS} FROM invoices ${LIVE} AND ${SEARCH_MATCH}
    ORDER BY ts_rank("_search", websearch_to_tsquery('simple'::regconfig, $1)) DESC, "id" ASC LIMIT $2) p ON true`
const AGGREGATE = `SELECT "status", count(*)::int AS "count", sum("total")::text AS "total" FROM invoices ${LIVE}
  GROUP BY "status" ORDER BY "status" ASC LIMIT 1000`

const listOf = (meta: Record<string, unknown>): (x: unknown) => string => fastJson({
  type: 'object',
  properties: { data: { type: 'array', items: invoices.record }, meta: { type: 'object', properties: meta } }
} as never) as (x: unknown) => string
const keysetJson = listOf({ per_page: { type: 'integer' }, next_cursor: { type: ['string', 'null'] } })
const offsetJson = listOf({ page: { type: 'integer' }, per_page: { type: 'integer' } })
const searchJson = listOf({ page: { type: 'integer' }, per_page: { type: 'integer' }, total: { type: 'integer' } })
const aggregateJson = fastJson({
  type: 'object',
  properties: {
    data: { type: 'array', items: { type: 'object', properties: { status: { type: ['string', 'null'] }, count: { type: 'integer' }, sum: { type: 'object', properties: { total: { type: ['string', 'null'] } } } } } },
    meta: { type: 'object', properties: { groups: { type: 'integer' } } }
  }
} as never) as (x: unknown) => string
/** Bulk create answer: the created records in request order. */
export const bulkJson = fastJson({ type: 'object', properties: { data: { type: 'array', items: invoices.record } } } as never) as (x: unknown) => string

export interface ListParams { cursor?: string, count?: string, search?: string, page?: string, per_page?: string, [k: string]: string | undefined }
/** S8's parameters. */
export interface AggregateParams { group_by?: string, count?: string, sum?: string, [k: string]: string | undefined }

/** Error of a request the floor refuses (same code Rocket would answer). */
export class Refused extends Error {}

/**
 * S7 (`cursor`), S7o (`count=none` offset page) and S9 (`search`) on invoices; undefined when
 * the request is a plain list (the server's own path).
 */
export async function queryList (run: Run, cursors: Cursors, t: Table, q: ListParams): Promise<string | undefined> {
  if (t !== invoices || (q.cursor === undefined && q.search === undefined && q.count !== 'none')) return undefined
  // Only the combinations the scenarios send: anything else would need work the floor skips.
  if (Object.keys(q).some((k) => k.startsWith('filter[') || k === 'sort' || k === 'include' || k === 'fields')) throw new Refused('unsupported')
  if ((q.cursor !== undefined && q.count !== 'none') || (q.search !== undefined && q.count !== undefined)) throw new Refused('count')
  const perPage = Math.min(100, Math.max(1, Number(q.per_page ?? 25) | 0))
  if (q.cursor !== undefined) {
    const after = cursors.decode(q.cursor)
    if (after === null) throw new Refused('cursor')
    const rows = await run(KEYSET, [after, perPage + 1])
    const more = rows.length > perPage
    const page = more ? rows.slice(0, perPage) : rows
    const next = more ? cursors.encode(page[page.length - 1]?._k as string) : null
    return keysetJson({ data: page, meta: { per_page: perPage, next_cursor: next } })
  }
  const page = Math.max(1, Number(q.page ?? 1) | 0)
  if (q.search !== undefined) {
    if (page !== 1) throw new Refused('page')
    const result = await run(SEARCH, [q.search, perPage])
    const rows = result[0]?.id === null ? [] : result
    return searchJson({ data: rows, meta: { page, per_page: perPage, total: Number(result[0]?._n ?? 0) } })
  }
  const rows = await run(OFFSET, [perPage, (page - 1) * perPage])
  return offsetJson({ data: rows, meta: { page, per_page: perPage } })
}

/** S8: `group_by=status&count=*&sum=total` over live invoices. */
export async function statusAggregate (run: Run, q: AggregateParams): Promise<string> {
  if (Object.keys(q).length !== 3 || q.group_by !== 'status' || q.count !== '*' || q.sum !== 'total') throw new Refused('aggregate')
  const data = (await run(AGGREGATE, [])).map((r) => ({ status: r.status, count: r.count, sum: { total: r.total } }))
  return aggregateJson({ data, meta: { groups: data.length } })
}
