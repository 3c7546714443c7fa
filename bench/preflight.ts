/**
 * Before any load: one request of every scenario against both servers. Both must answer
 * 2xx; reads must return identical JSON, writes the same shape (keys and value types). This
 * keeps the floor honest (same work, same output) and explains a failing scenario with a body.
 */
import type { Request } from 'autocannon'
import type { Dataset } from './dataset.js'
import type { ServerProcess } from './env.js'
import type { Scenario } from './scenarios.js'

/** Canonical JSON: object keys sorted, so key order does not matter. */
function canonical (v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical)
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]))
  }
  return v
}

/** Keys and value types only (ids, numbers and timestamps differ between two creates). */
function shape (v: unknown): unknown {
  if (Array.isArray(v)) return v.length === 0 ? [] : [shape(v[0])]
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, shape((v as Record<string, unknown>)[k])]))
  }
  return v === null ? 'null' : typeof v
}

/** The request a template produces (its setupRequest applied once). */
export function materialize (template: Request): Request {
  const setup = template.setupRequest
  return typeof setup === 'function' ? { ...setup({ ...template }, {}), setupRequest: undefined } : template
}

export async function send (server: ServerProcess, template: Request): Promise<{ status: number, body: unknown }> {
  const req = materialize(template)
  const init: RequestInit = { method: req.method ?? 'GET' }
  if (req.headers !== undefined) init.headers = req.headers as Record<string, string>
  if (typeof req.body === 'string') init.body = req.body
  const res = await fetch(server.url + (req.path ?? '/'), init)
  const text = await res.text()
  if (res.status < 200 || res.status >= 300) throw new Error(`${server.name} ${req.method ?? 'GET'} ${req.path ?? ''}: ${res.status} ${text.slice(0, 400)}`)
  return { status: res.status, body: JSON.parse(text) }
}

/** Throws when a server fails a scenario's request or the two disagree on the response. */
export async function preflight (rocket: ServerProcess, floor: ServerProcess, ds: Dataset, scenarios: readonly Scenario[]): Promise<void> {
  for (const s of scenarios) {
    const [template] = s.requests(ds, `pre${s.id}`)
    if (template === undefined) continue
    // Same random draw for both servers: fix it once.
    const fixed = materialize(template)
    const seconds = s.requests(ds, `pre2${s.id}`)[0]
    const second = s.write && seconds !== undefined ? seconds : fixed
    const a = await send(rocket, fixed)
    const b = await send(floor, second)
    if (a.status !== b.status) throw new Error(`${s.id}: rocket answered ${a.status}, floor ${b.status}`)
    const left = JSON.stringify(s.write ? shape(a.body) : canonical(a.body))
    const right = JSON.stringify(s.write ? shape(b.body) : canonical(b.body))
    if (left !== right) throw new Error(`${s.id}: responses differ\nrocket: ${left.slice(0, 1500)}\nfloor:  ${right.slice(0, 1500)}`)
  }
  console.log(`preflight: ${scenarios.map((s) => s.id).join(', ')} answer alike on both servers`)
}
