/**
 * The six benchmark scenarios as autocannon request templates. Both servers get exactly the
 * same requests; ids are drawn at random from the seeded ids, invoice numbers are unique per
 * run (`B-<run>-<n>`, removed between rounds by `resetWrites`).
 */
import { randomBytes } from 'node:crypto'
import type { Request } from 'autocannon'
import { DEEP_ROW, type Dataset } from './dataset.js'
import { STATUSES } from './schema.js'

/** One benchmark scenario and its bar. */
export interface Scenario {
  id: string
  title: string
  /** Minimum Rocket/floor throughput ratio (bench/RESULTS.md: 0.80 on reads, 0.70 on writes). */
  bar: number
  /** Minimum ratio against the floor WITHOUT the audit row (issue 10: reads 0.85, create/update 0.80, nested create 0.75). */
  bareBar: number
  write: boolean
  /** Fresh request templates for one autocannon run; `run` makes generated keys unique. */
  requests: (ds: Dataset, run: string) => Request[]
}

const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T

function headers (ds: Dataset, json: boolean): Record<string, string> {
  const h: Record<string, string> = { authorization: `Bearer ${ds.token}` }
  if (json) h['content-type'] = 'application/json'
  return h
}

/** A new invoice body with a unique number; `items` nested children when > 0 (in the `{_write_mode, data}` form when `mode` is given). */
function invoiceBody (ds: Dataset, number: string, items: number, mode?: string): Record<string, unknown> {
  const body: Record<string, unknown> = { number, status: 'draft', total: '1234.50', customer_id: pick(ds.customerIds), issued_on: '2024-06-01' }
  if (items > 0) {
    const data = Array.from({ length: items }, (_, i) => ({ description: `Line ${i + 1}`, quantity: i + 1, unit_price: '19.90' }))
    body.items = mode === undefined ? data : { _write_mode: mode, data }
  }
  return body
}

/** POSTs to /invoice whose body `body(prefix, n)` builds per request (`n` counts from 1). */
function posting (ds: Dataset, run: string, body: (prefix: string, n: number) => unknown): Request[] {
  let n = 0
  // Unique per call too: the warm-up and the measured window build their templates separately.
  const prefix = `B-${run}-${randomBytes(3).toString('hex')}`
  return [{
    method: 'POST',
    path: `/api/${ds.app}/invoice`,
    headers: headers(ds, true),
    setupRequest: (req) => ({ ...req, body: JSON.stringify(body(prefix, ++n)) })
  }]
}

function creating (ds: Dataset, run: string, items: number, mode?: string): Request[] {
  return posting(ds, run, (prefix, n) => invoiceBody(ds, `${prefix}-${n}`, items, mode))
}

/** S10: one POST of 100 new invoices (docs/QUERYING.md "Bulk and batch writes"). */
function bulkCreating (ds: Dataset, run: string): Request[] {
  return posting(ds, run, (prefix, batch) => Array.from({ length: 100 }, (_, i) => invoiceBody(ds, `${prefix}-${batch}-${i}`, 0)))
}

const get = (ds: Dataset, query: string): Request[] => [{ method: 'GET', path: `/api/${ds.app}/invoice${query}`, headers: headers(ds, false) }]

/** S1–S3 read, S4–S6 write (bench/RESULTS.md bars: 0.80 on reads, 0.70 on writes); S7–S10 query power (bar 0.80). */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'S1',
    title: 'get by id',
    bar: 0.8,
    bareBar: 0.85,
    write: false,
    requests: (ds) => [{ method: 'GET', path: '/', headers: headers(ds, false), setupRequest: (req) => ({ ...req, path: `/api/${ds.app}/invoice/${pick(ds.invoiceIds)}` }) }]
  },
  {
    id: 'S2',
    title: 'list filter+sort+page',
    bar: 0.8,
    bareBar: 0.85,
    write: false,
    requests: (ds) => [{ method: 'GET', path: `/api/${ds.app}/invoice?filter[status]=paid&sort=-total&page=2&per_page=25`, headers: headers(ds, false) }]
  },
  {
    id: 'S3',
    title: 'list include=items',
    bar: 0.8,
    bareBar: 0.85,
    write: false,
    requests: (ds) => [{ method: 'GET', path: `/api/${ds.app}/invoice?include=items&per_page=10`, headers: headers(ds, false) }]
  },
  { id: 'S4', title: 'create', bar: 0.7, bareBar: 0.8, write: true, requests: (ds, run) => creating(ds, run, 0) },
  { id: 'S5', title: 'nested create (5 items)', bar: 0.7, bareBar: 0.75, write: true, requests: (ds, run) => creating(ds, run, 5) },
  { id: 'S5d', title: 'nested create, {_write_mode: diff, data}', bar: 0.7, bareBar: 0.75, write: true, requests: (ds, run) => creating(ds, run, 5, 'diff') },
  {
    id: 'S6',
    title: 'update status',
    bar: 0.7,
    bareBar: 0.8,
    write: true,
    requests: (ds) => {
      let n = 0
      return [{
        method: 'PUT',
        path: '/',
        headers: headers(ds, true),
        setupRequest: (req) => ({ ...req, path: `/api/${ds.app}/invoice/${pick(ds.invoiceIds)}`, body: JSON.stringify({ status: STATUSES[n++ % STATUSES.length] }) })
      }]
    }
  },
  // Page 1,601 of 25 (rows 40,001–40,025 in primary key order), without the count: the keyset
  // page costs what page 1 does; S7o is the offset page at the same depth, for comparison.
  { id: 'S7', title: `keyset page after row ${DEEP_ROW}`, bar: 0.8, bareBar: 0.8, write: false, requests: (ds) => get(ds, `?cursor=${ds.deepCursor}&per_page=25&count=none`) },
  { id: 'S7o', title: `offset page at row ${DEEP_ROW}`, bar: 0.8, bareBar: 0.8, write: false, requests: (ds) => get(ds, `?page=${DEEP_ROW / 25 + 1}&per_page=25&count=none`) },
  { id: 'S8', title: 'aggregate by status (count, sum)', bar: 0.8, bareBar: 0.8, write: false, requests: (ds) => get(ds, '/_aggregate?group_by=status&count=*&sum=total') },
  { id: 'S9', title: 'search= over 50k notes', bar: 0.8, bareBar: 0.8, write: false, requests: (ds) => get(ds, '?search=hosting&per_page=25') },
  { id: 'S10', title: 'bulk create (100 rows)', bar: 0.8, bareBar: 0.8, write: true, requests: bulkCreating }
]

/** S1 and S4 interleaved (the soak mix). */
export function soakRequests (ds: Dataset, run: string): Request[] {
  const [get] = SCENARIOS[0]?.requests(ds, run) ?? []
  const [create] = creating(ds, run, 0)
  return [get as Request, create as Request]
}
