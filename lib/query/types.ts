import type { Sql } from '../db/connection.js'
import type { CompiledField, RelationEdge } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'

/** Filter operators of the list query string (SPEC §6) and of permission read conditions (§8). */
export const FILTER_OPS = ['eq', 'neq', 'gt', 'gte', 'lt', 'lte', 'in', 'not_in', 'like', 'ilike', 'is_null'] as const
export type FilterOp = typeof FILTER_OPS[number]

/**
 * One condition ANDed into a WHERE clause. `value` is already converted to the field's type,
 * in the form `field.spec.fromQuery` returns it (number for int, string for bigint/decimal/
 * date/uuid/text, ISO string for timestamp, boolean for boolean); an array of such values
 * for `in`/`not_in`; a boolean for `is_null` (true = IS NULL). Use `filterFromCondition` to
 * build one from JSON metadata values.
 */
export interface SqlFilter {
  field: CompiledField
  op: FilterOp
  value: unknown
}

/**
 * An OR of AND-groups of filters: true when every filter of at least one group holds.
 * `{ any: [] }` matches nothing (FALSE); a group with no filters makes the whole condition
 * TRUE. This is how permission policies compose (SPEC §8: any matching policy may grant a row).
 */
export interface SqlAnyOf {
  any: ReadonlyArray<readonly SqlFilter[]>
}

/** One term ANDed into a WHERE clause: a single filter or an OR-group. */
export type SqlCondition = SqlFilter | SqlAnyOf

export interface SortTerm {
  field: CompiledField
  desc: boolean
}

/** A validated list request: everything the SQL builder needs, nothing left as raw text. */
export interface ListQuery {
  filters: SqlFilter[]
  /** Requested order; the primary key is appended by the SQL builder as a tie-breaker. */
  sort: SortTerm[]
  /** 1-based. */
  page: number
  /** 1..maxPerPage (values above the maximum are clamped). */
  perPage: number
  /** Requested relation edges (eager edges are added by the reader). */
  include: RelationEdge[]
}

/** Parameterized SQL: `$n` placeholders in `text`, values in `params` (never spliced). */
export interface SqlText {
  text: string
  params: unknown[]
}

/** What the readers need: the app's pool and the compiled metadata the request resolved. */
export interface ReadDeps {
  sql: Sql
  registry: Registry
}

/** Extra conditions from the permission layer (row-level read conditions, SPEC §8). */
export interface ReadExtra {
  /** ANDed into the WHERE of the main entity's query (page, count and get by id alike). */
  where?: SqlCondition[]
  /**
   * Conditions for rows of an included entity. To hide an included entity completely,
   * return a condition that matches nothing: `[{ any: [] }]`.
   */
  includeWhere?: (entityName: string) => SqlCondition[]
  /**
   * The same row-level conditions as `where`, evaluated in memory on one row: a write's
   * response shows the row only when it passes (docs/security.md, "Write responses").
   */
  rowTest?: (row: Readonly<Record<string, unknown>>) => boolean
}
