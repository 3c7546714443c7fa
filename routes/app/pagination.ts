import { invalidPayload } from '../../lib/errors.js'

export interface PageQuery {
  page: number
  perPage: number
}

const DEFAULT_PER_PAGE = 25
const MAX_PER_PAGE = 100

/**
 * Reads `page` / `per_page` (defaults 1 / 25, `per_page` capped at 100 as for entity lists)
 * and the route's own `filters`, each a single string. Any other parameter is a 400, so a
 * misspelt filter is reported instead of silently returning everything.
 */
export function parsePagedQuery<K extends string> (query: unknown, filters: readonly K[]): PageQuery & { filters: Partial<Record<K, string>> } {
  const q = (typeof query === 'object' && query !== null ? query : {}) as Record<string, unknown>
  const out: Partial<Record<K, string>> = {}
  for (const [key, value] of Object.entries(q)) {
    if (key === 'page' || key === 'per_page') continue
    if (!(filters as readonly string[]).includes(key)) {
      throw invalidPayload(`Unknown query parameter '${key.slice(0, 100)}'`, [{ field: key.slice(0, 100), message: `allowed: page, per_page${filters.map((f) => `, ${f}`).join('')}` }])
    }
    if (typeof value !== 'string') throw invalidPayload(`Query parameter '${key}' must be given once`, [{ field: key, message: 'must be a single value' }])
    out[key as K] = value
  }
  return { page: positiveQueryInt(q, 'page', 1), perPage: Math.min(positiveQueryInt(q, 'per_page', DEFAULT_PER_PAGE), MAX_PER_PAGE), filters: out }
}

/** A positive integer query parameter (`def` when absent); anything else is a 400 naming it. */
export function positiveQueryInt (q: Record<string, unknown>, key: string, def: number): number {
  const raw = q[key]
  if (raw === undefined) return def
  const n = typeof raw === 'string' && /^[0-9]{1,9}$/.test(raw) ? Number(raw) : 0
  if (n < 1) throw invalidPayload(`Query parameter '${key}' must be a positive integer`, [{ field: key, message: 'must be a positive integer' }])
  return n
}
