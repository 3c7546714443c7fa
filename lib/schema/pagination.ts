import type { Schema } from './route-schemas.js'

/**
 * The one pagination of system lists (docs/reference.md, "Envelopes and errors"): `page` and
 * `per_page` declared in each route's querystring schema, so the validator checks them and the
 * OpenAPI document lists them; entity lists (`lib/query/parse.ts`) page with the same limits.
 */
export interface PageQuery {
  page: number
  perPage: number
}

export interface PageLimits {
  defaultPerPage: number
  /** A larger `per_page` is capped, not refused (as for entity lists). */
  maxPerPage: number
}

export const LIST_PAGES: PageLimits = { defaultPerPage: 25, maxPerPage: 100 }
const MAX_PAGE = 1_000_000

/** A closed querystring schema: `page`, `per_page` and the route's own filters; anything else is a 400 naming it. */
export function pagedQuery (filters: Record<string, Schema>, limits: PageLimits = LIST_PAGES): Schema {
  return {
    type: 'object',
    properties: {
      page: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: 1 },
      per_page: { type: 'integer', minimum: 1, maximum: MAX_PAGE, default: limits.defaultPerPage, description: `Capped at ${limits.maxPerPage}.` },
      ...filters
    },
    additionalProperties: false
  }
}

/** A closed querystring schema of filters only (no pages). */
export function filterQuery (filters: Record<string, Schema>): Schema {
  return { type: 'object', properties: filters, additionalProperties: false }
}

/** The page a validated query asks for (defaults already applied by the schema). */
export function pageOf (query: { page?: number, per_page?: number }, limits: PageLimits = LIST_PAGES): PageQuery {
  return { page: query.page ?? 1, perPage: Math.min(query.per_page ?? limits.defaultPerPage, limits.maxPerPage) }
}

/** `{data: [item], meta: {page, per_page, total}}`. */
export function pagedList (item: Schema): Schema {
  return {
    type: 'object',
    required: ['data', 'meta'],
    properties: {
      data: { type: 'array', items: item },
      meta: {
        type: 'object',
        required: ['page', 'per_page', 'total'],
        properties: { page: { type: 'integer' }, per_page: { type: 'integer' }, total: { type: 'integer' } },
        additionalProperties: false
      }
    },
    additionalProperties: false
  }
}
