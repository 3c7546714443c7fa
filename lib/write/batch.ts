import { invalidPayload, isApiError, type ApiError, type ErrorDetail } from '../errors.js'
import type { WriteDeps } from './types.js'
import { inOneTransaction } from './unit-of-work.js'

/**
 * Bulk creates (`POST /:entity` with an array) and `POST /_batch` (docs/QUERYING.md): every
 * item runs the full write path (hooks, rules, state machines, permissions) joined to ONE
 * transaction; the first failure rolls everything back and names the item's index.
 */

export const MAX_BULK = 1000
export const MAX_BATCH = 100
const METHODS = ['POST', 'PUT', 'DELETE'] as const

export interface BatchOperation {
  method: typeof METHODS[number]
  entity: string
  id?: string
  body?: unknown
}

/** The error of item `index`, its own details kept after one naming the index. */
export function atIndex (err: unknown, index: number, what: string): unknown {
  if (!isApiError(err)) return err
  const e = err as ApiError
  const first: ErrorDetail = { index, rule: what, message: `${what} ${index} failed: ${e.message}` }
  e.details = [first, ...(e.details ?? [])]
  e.message = `${what[0]?.toUpperCase() ?? ''}${what.slice(1)} ${index}: ${e.message}`
  return e
}

/** Runs `run` for each item in order inside one transaction; results in the same order. */
export async function runAll<I, R> (deps: WriteDeps, items: readonly I[], what: string, run: (item: I, joined: WriteDeps, index: number) => Promise<R>): Promise<R[]> {
  return await inOneTransaction(deps, async (joined) => {
    const out: R[] = []
    for (let i = 0; i < items.length; i++) {
      try {
        out.push(await run(items[i] as I, joined, i))
      } catch (err) {
        throw atIndex(err, i, what)
      }
    }
    return out
  })
}

function bad (message: string, field = 'operations', index?: number): ApiError {
  return invalidPayload(message, [{ field, message, ...(index !== undefined ? { index } : {}) }])
}

/** `{operations: [{method, entity, id?, body?}]}`, checked before anything runs. */
export function parseBatch (body: unknown): BatchOperation[] {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw bad('The body must be {"operations": [...]}', 'body')
  const extra = Object.keys(body).filter((k) => k !== 'operations')
  if (extra.length > 0) throw bad(`Unknown key '${extra[0] as string}' in the batch body`, extra[0])
  const ops = (body as { operations?: unknown }).operations
  if (!Array.isArray(ops) || ops.length === 0) throw bad('operations must be a non-empty array')
  if (ops.length > MAX_BATCH) throw bad(`At most ${MAX_BATCH} operations per batch`)
  return ops.map((op: unknown, i) => {
    if (typeof op !== 'object' || op === null || Array.isArray(op)) throw bad(`Operation ${i} must be an object`, `operations[${i}]`, i)
    const o = op as Record<string, unknown>
    for (const k of Object.keys(o)) if (!['method', 'entity', 'id', 'body'].includes(k)) throw bad(`Operation ${i}: unknown key '${k}'`, `operations[${i}].${k}`, i)
    if (!(METHODS as readonly unknown[]).includes(o.method)) throw bad(`Operation ${i}: method must be POST, PUT or DELETE`, `operations[${i}].method`, i)
    if (typeof o.entity !== 'string' || o.entity === '') throw bad(`Operation ${i}: entity must be a string`, `operations[${i}].entity`, i)
    const needsId = o.method !== 'POST'
    if (needsId && (typeof o.id !== 'string' || o.id === '')) throw bad(`Operation ${i}: ${String(o.method)} needs an id`, `operations[${i}].id`, i)
    if (!needsId && o.id !== undefined) throw bad(`Operation ${i}: POST takes no id`, `operations[${i}].id`, i)
    if (o.method !== 'DELETE' && (typeof o.body !== 'object' || o.body === null || Array.isArray(o.body))) throw bad(`Operation ${i}: body must be an object`, `operations[${i}].body`, i)
    return { method: o.method as BatchOperation['method'], entity: o.entity, ...(typeof o.id === 'string' ? { id: o.id } : {}), ...(o.body !== undefined ? { body: o.body } : {}) }
  })
}
