/**
 * Cold metadata changes: how long until a new entity takes writes, and until a field added
 * to it is accepted on writes, measured from the moment the admin request is sent.
 */
import { performance } from 'node:perf_hooks'
import type { Dataset } from './dataset.js'
import { api } from './dataset.js'
import { median } from './report.js'

/** Medians of the cold metadata probes, in ms. */
export interface MetadataTiming {
  /** POST _admin/entities round trip (DDL + metadata row + registry rebuild). */
  createEntityMs: number
  /** From sending that POST to the first 201 on the new entity. */
  firstCreateMs: number
  /** PUT _admin/entities/:name (one field added) round trip. */
  addFieldMs: number
  /** From sending that PUT to the first accepted write carrying the new field. */
  firstWriteWithFieldMs: number
}

/** POSTs `body` to `path` until it answers 2xx (at most `limitMs`); returns when it did. */
async function firstSuccess (base: string, token: string, path: string, body: unknown, limitMs = 10_000): Promise<number> {
  const deadline = performance.now() + limitMs
  for (;;) {
    const res = await fetch(base + path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) })
    await res.arrayBuffer()
    if (res.ok) return performance.now()
    if (performance.now() > deadline) throw new Error(`${path} still answers ${res.status} after ${limitMs} ms`)
  }
}

async function once (base: string, ds: Dataset, n: number): Promise<MetadataTiming> {
  const name = `meta_probe_${n}`
  const admin = `/api/${ds.app}/_admin/entities`
  const fields = [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string', required: true }]
  const t0 = performance.now()
  await api(base, { method: 'POST', path: admin, token: ds.token, body: { name, table: `${name}s`, fields } })
  const t1 = performance.now()
  const t2 = await firstSuccess(base, ds.token, `/api/${ds.app}/${name}`, { title: 'first' })
  const t3 = performance.now()
  await api(base, { method: 'PUT', path: `${admin}/${name}`, token: ds.token, body: { fields: [...fields, { name: 'note', type: 'string' }] } })
  const t4 = performance.now()
  const t5 = await firstSuccess(base, ds.token, `/api/${ds.app}/${name}`, { title: 'second', note: 'new field' })
  return { createEntityMs: t1 - t0, firstCreateMs: t2 - t0, addFieldMs: t4 - t3, firstWriteWithFieldMs: t5 - t3 }
}

/** Median of `times` probes, each on a fresh entity. */
export async function measureMetadata (base: string, ds: Dataset, times = 3): Promise<MetadataTiming> {
  const runs: MetadataTiming[] = []
  for (let i = 1; i <= times; i++) runs.push(await once(base, ds, i))
  const m = (k: keyof MetadataTiming): number => median(runs.map((r) => r[k]))
  return { createEntityMs: m('createEntityMs'), firstCreateMs: m('firstCreateMs'), addFieldMs: m('addFieldMs'), firstWriteWithFieldMs: m('firstWriteWithFieldMs') }
}
