/**
 * The six benchmark scenarios as autocannon request templates. Both servers get exactly the
 * same requests; ids are drawn at random from the seeded ids, invoice numbers are unique per
 * run (`B-<run>-<n>`, removed between rounds by `resetWrites`).
 */
import { randomBytes } from 'node:crypto'
import type { Request } from 'autocannon'
import type { Dataset } from './dataset.js'
import { STATUSES } from './schema.js'

/** One benchmark scenario and its bar. */
export interface Scenario {
  id: string
  title: string
  /** Minimum Rocket/floor throughput ratio (SPEC §11: 0.80 on reads, 0.70 on writes). */
  bar: number
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

/** A new invoice body with a unique number; `items` nested children when > 0. */
function invoiceBody (ds: Dataset, number: string, items: number): Record<string, unknown> {
  const body: Record<string, unknown> = { number, status: 'draft', total: '1234.50', customer_id: pick(ds.customerIds), issued_on: '2024-06-01' }
  if (items > 0) body.items = Array.from({ length: items }, (_, i) => ({ description: `Line ${i + 1}`, quantity: i + 1, unit_price: '19.90' }))
  return body
}

function creating (ds: Dataset, run: string, items: number): Request[] {
  let n = 0
  // Unique per call too: the warm-up and the measured window build their templates separately.
  const prefix = `B-${run}-${randomBytes(3).toString('hex')}`
  return [{
    method: 'POST',
    path: `/api/${ds.app}/invoice`,
    headers: headers(ds, true),
    setupRequest: (req) => ({ ...req, body: JSON.stringify(invoiceBody(ds, `${prefix}-${++n}`, items)) })
  }]
}

/** S1–S3 read, S4–S6 write (SPEC §11 bars: 0.80 on reads, 0.70 on writes). */
export const SCENARIOS: readonly Scenario[] = [
  {
    id: 'S1',
    title: 'get by id',
    bar: 0.8,
    write: false,
    requests: (ds) => [{ method: 'GET', path: '/', headers: headers(ds, false), setupRequest: (req) => ({ ...req, path: `/api/${ds.app}/invoice/${pick(ds.invoiceIds)}` }) }]
  },
  {
    id: 'S2',
    title: 'list filter+sort+page',
    bar: 0.8,
    write: false,
    requests: (ds) => [{ method: 'GET', path: `/api/${ds.app}/invoice?filter[status]=paid&sort=-total&page=2&per_page=25`, headers: headers(ds, false) }]
  },
  {
    id: 'S3',
    title: 'list include=items',
    bar: 0.8,
    write: false,
    requests: (ds) => [{ method: 'GET', path: `/api/${ds.app}/invoice?include=items&per_page=10`, headers: headers(ds, false) }]
  },
  { id: 'S4', title: 'create', bar: 0.7, write: true, requests: (ds, run) => creating(ds, run, 0) },
  { id: 'S5', title: 'nested create (5 items)', bar: 0.7, write: true, requests: (ds, run) => creating(ds, run, 5) },
  {
    id: 'S6',
    title: 'update status',
    bar: 0.7,
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
  }
]

/** S1 and S4 interleaved (the soak mix). */
export function soakRequests (ds: Dataset, run: string): Request[] {
  const [get] = SCENARIOS[0]?.requests(ds, run) ?? []
  const [create] = creating(ds, run, 0)
  return [get as Request, create as Request]
}
