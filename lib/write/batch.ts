import { isApiError, type ApiError, type ErrorDetail } from '../errors.js'
import type { WriteDeps } from './types.js'
import { inOneTransaction } from './unit-of-work.js'

/**
 * Bulk creates (`POST /:entity` with an array) and `POST /_batch` (docs/QUERYING.md): every
 * item runs the full write path (hooks, rules, state machines, permissions) joined to ONE
 * transaction; the first failure rolls everything back and names the item's index.
 */

export const MAX_BULK = 1000

/** One operation of `POST /_batch`, as its route schema (`schemas.ts`) checked it. */
export interface BatchOperation {
  method: 'POST' | 'PUT' | 'DELETE'
  entity: string
  id?: string
  body?: Record<string, unknown>
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
