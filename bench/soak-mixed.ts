/**
 * The mixed soak (`npm run bench -- --soak-mixed [--declared-index]`): 20 clients for 5 minutes
 * (BENCH_SOAK, BENCH_SOAK_CLIENTS) against Rocket alone, each repeating reads by id, filtered +
 * sorted lists (`filter[status]=…&sort=-created_at`, exact count), nested creates (5 items),
 * updates and deletes of what it created — two creates for one delete, so the tables grow.
 * Throughput is reported per BENCH_SOAK_BUCKET seconds (30): the curve shows whether the
 * lists slow down as the tables grow. `--declared-index` first declares the index
 * `status, -created_at` on invoices through the admin API (docs/QUERYING.md "Declared indexes")
 * and waits until it reports `ready`.
 */
import autocannon, { type Request } from 'autocannon'
import { randomBytes } from 'node:crypto'
import { api, type Dataset } from './dataset.js'
import type { ServerProcess } from './env.js'

export interface MixedSoakOptions {
  seconds: number
  bucketSeconds: number
  clients: number
  declaredIndex: boolean
}

export interface MixedSoakResult {
  opts: MixedSoakOptions
  /** Requests per second in each bucket, in order. */
  curve: number[]
  total: number
  failures: number
  firstFailure?: string
  /** Live invoices before and after the measured window. */
  invoicesBefore: number
  invoicesAfter: number
  /** Time the declared index took to report `ready`, ms (with --declared-index). */
  indexReadyMs?: number
}

type Context = Record<string, unknown>
const pick = <T>(list: readonly T[]): T => list[Math.floor(Math.random() * list.length)] as T

function mix (ds: Dataset): Request[] {
  const auth = { authorization: `Bearer ${ds.token}` }
  const json = { ...auth, 'content-type': 'application/json' }
  const base = `/api/${ds.app}/invoice`
  const prefix = `B-mix-${randomBytes(4).toString('hex')}`
  let n = 0
  const create = (slot: string): Request => ({
    method: 'POST',
    path: base,
    headers: json,
    setupRequest: (req) => ({
      ...req,
      body: JSON.stringify({
        number: `${prefix}-${++n}`,
        status: pick(['draft', 'sent', 'paid']),
        total: '99.90',
        customer_id: pick(ds.customerIds),
        issued_on: '2024-06-01',
        items: Array.from({ length: 5 }, (_, i) => ({ description: `Line ${i + 1}`, quantity: i + 1, unit_price: '19.90' }))
      })
    }),
    onResponse: (_status, body, context) => {
      const c = context as Context
      try { c[slot] = (JSON.parse(body) as { data?: { id?: string } }).data?.id } catch { c[slot] = undefined }
    }
  })
  const list = (status: string): Request => ({ method: 'GET', path: `${base}?filter[status]=${status}&sort=-created_at&per_page=25`, headers: auth })
  return [
    { method: 'GET', path: base, headers: auth, setupRequest: (req) => ({ ...req, path: `${base}/${pick(ds.invoiceIds)}` }) },
    list('paid'),
    create('a'),
    { method: 'PUT', path: base, headers: json, setupRequest: (req, context) => ({ ...req, path: `${base}/${String((context as Context).a)}`, body: JSON.stringify({ status: 'paid' }) }) },
    list('sent'),
    create('b'),
    { method: 'DELETE', path: base, headers: auth, setupRequest: (req, context) => ({ ...req, path: `${base}/${String((context as Context).b)}` }) }
  ]
}

async function liveInvoices (server: ServerProcess, ds: Dataset): Promise<number> {
  const res = await api(server.url, { method: 'GET', path: `/api/${ds.app}/invoice?per_page=1`, token: ds.token })
  return res.meta.total as number
}

/** Declares `status, -created_at` on invoices and waits for `ready`; returns how long that took. */
async function declareIndex (server: ServerProcess, ds: Dataset): Promise<number> {
  const started = Date.now()
  const path = `/api/${ds.app}/_admin/entities/invoice`
  const def = (await api(server.url, { method: 'GET', path, token: ds.token })).data as Record<string, unknown>
  await api(server.url, { method: 'PUT', path, token: ds.token, body: { ...def, indexes: [{ name: 'invoices_status_created_at', fields: ['status', '-created_at'] }] } })
  for (;;) {
    const status = (await api(server.url, { method: 'GET', path: `${path}/indexes`, token: ds.token })).data as Array<{ status: string, error?: string }>
    if (status.every((s) => s.status === 'ready')) return Date.now() - started
    if (status.some((s) => s.status === 'failed')) throw new Error(`declared index failed: ${status.map((s) => s.error ?? '').join('; ')}`)
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

async function run (server: ServerProcess, ds: Dataset, seconds: number, clients: number, onResponse?: (status: number) => void): Promise<void> {
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon({ url: server.url, connections: clients, duration: seconds, requests: mix(ds), timeout: 30 }, (err) => {
      if (err !== null && err !== undefined) reject(err)
      else resolve()
    })
    if (onResponse !== undefined) instance.on('response', (_client, status) => { onResponse(status) })
  })
}

export async function mixedSoak (server: ServerProcess, ds: Dataset, opts: MixedSoakOptions): Promise<MixedSoakResult> {
  const indexReadyMs = opts.declaredIndex ? await declareIndex(server, ds) : undefined
  await run(server, ds, 10, opts.clients)
  const invoicesBefore = await liveInvoices(server, ds)
  const buckets = new Array<number>(Math.ceil(opts.seconds / opts.bucketSeconds)).fill(0)
  let failures = 0
  let firstFailure: string | undefined
  const start = Date.now()
  await run(server, ds, opts.seconds, opts.clients, (status) => {
    const b = Math.min(buckets.length - 1, Math.floor((Date.now() - start) / 1000 / opts.bucketSeconds))
    buckets[b] = (buckets[b] ?? 0) + 1
    if (status < 200 || status >= 300) { failures++; firstFailure ??= `HTTP ${status}` }
  })
  const invoicesAfter = await liveInvoices(server, ds)
  const curve = buckets.map((c) => c / opts.bucketSeconds)
  return {
    opts,
    curve,
    total: buckets.reduce((x, y) => x + y, 0),
    failures,
    ...(firstFailure !== undefined ? { firstFailure } : {}),
    invoicesBefore,
    invoicesAfter,
    ...(indexReadyMs !== undefined ? { indexReadyMs } : {})
  }
}

/** The result as markdown. */
export function mixedSoakBlock (r: MixedSoakResult): string {
  const { opts } = r
  const label = (i: number): string => `${i * opts.bucketSeconds}–${(i + 1) * opts.bucketSeconds} s`
  return [
    `- ${opts.seconds} s, ${opts.clients} clients, ${opts.declaredIndex ? `WITH the declared index \`status, -created_at\` (ready ${r.indexReadyMs ?? '?'} ms after the PUT)` : 'WITHOUT a declared index'}: ` +
      `${Math.round(r.total / opts.seconds)} req/s overall, ${r.failures} non-2xx${r.firstFailure !== undefined ? ` (first: ${r.firstFailure})` : ''}`,
    `- live invoices ${r.invoicesBefore} → ${r.invoicesAfter}`,
    '',
    `| Window | ${r.curve.map((_, i) => label(i)).join(' | ')} |`,
    `|---|${r.curve.map(() => '---:').join('|')}|`,
    `| req/s | ${r.curve.map((x) => Math.round(x)).join(' | ')} |`
  ].join('\n')
}
