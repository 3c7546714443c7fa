import type { Sql } from '../db/connection.js'
import type { CompiledEntity, CompiledField, RelationEdge } from '../metadata/compiled.js'
import type { Registry } from '../metadata/registry.js'
import type { Selection } from './selection.js'

/** Filter operators of the list query string (docs/reference.md, "Reading") and of permission read conditions ("Permissions"). */
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
 * TRUE. This is how permission policies compose (docs/reference.md, "Permissions": any matching policy may grant a row).
 */
export interface SqlAnyOf {
  any: ReadonlyArray<readonly SqlFilter[]>
}

/** A boolean group of the query string (`filter[or][i][...]`, `filter[and][i][...]`, `filter[not][...]`). */
export interface SqlGroup {
  bool: 'and' | 'or' | 'not'
  /** `not` negates the AND of its terms. */
  terms: readonly SqlCondition[]
}

/** One step of a relation filter path, resolved from metadata (cached per entity). */
export interface RelationHop {
  edge: RelationEdge
  source: CompiledEntity
  target: CompiledEntity
}

/**
 * A condition on related rows (`filter[customer.status]`, `filter[items.quantity.gt]`): true
 * when at least one related row of `via` matches `cond` (an EXISTS); the target's row-level
 * read conditions apply inside.
 */
export interface SqlRelated {
  via: RelationHop
  cond: SqlCondition
}

/** `search=`: the entity's search column matches `websearch_to_tsquery(config, text)`. */
export interface SqlSearch {
  /** `'english'::regconfig`, from validated metadata. */
  config: string
  text: string
}

/** One term ANDed into a WHERE clause: a single filter, an OR-group, a boolean group, a relation filter or a text search. */
export type SqlCondition = SqlFilter | SqlAnyOf | SqlGroup | SqlRelated | SqlSearch

export interface SortTerm {
  field: CompiledField
  desc: boolean
}

/** A validated list request: everything the SQL builder needs, nothing left as raw text. */
export interface ListQuery {
  filters: SqlCondition[]
  /** Requested order; the primary key is appended by the SQL builder as a tie-breaker. */
  sort: SortTerm[]
  /** 1-based. */
  page: number
  /** 1..maxPerPage (values above the maximum are clamped). */
  perPage: number
  /** Requested relation edges (eager edges are added by the reader). */
  include: RelationEdge[]
  /** `fields=` and nested includes; absent = every field, `include` one level deep. */
  select?: Selection
  /** `search=` (also one of `filters`): without `sort`, rows come in rank order. */
  search?: SqlSearch
  /** `count=`; absent = exact. */
  count?: CountMode
  /** Keyset pagination (`cursor=` / `paginate=cursor`): the sort walked and the last row's key values (null: first page). */
  keyset?: { terms: SortTerm[], after: ReadonlyArray<string | null> | null }
}

export const COUNT_MODES = ['exact', 'estimated', 'none'] as const
export type CountMode = typeof COUNT_MODES[number]

/** A page of a list: `total` null with `count=none`; `next` the key values after the last row in keyset mode (null on the last page). */
export interface ListResult {
  rows: Array<Record<string, unknown>>
  total: number | null
  estimated: boolean
  next?: ReadonlyArray<string | null> | null
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

/**
 * Which fields of an entity a caller may read (field-level permissions, docs/security.md
 * "Field permissions"); the primary key is always in every set. `all`: no restriction. `fixed`:
 * the same fields on every row. `row`: they depend on the row (several policies with other
 * fields and conditions): `of(row)` per row; `union` = the most any row shows, `every` = what
 * every row shows (what filters, sorts and aggregates may use); `reads` = the fields `of` needs.
 */
export type FieldAccess =
  | { kind: 'all' }
  | { kind: 'fixed', fields: ReadonlySet<string> }
  | { kind: 'row', union: ReadonlySet<string>, every: ReadonlySet<string>, reads: ReadonlySet<string>, of: (row: Readonly<Record<string, unknown>>) => ReadonlySet<string> }

/** Extra conditions from the permission layer (row-level read conditions, docs/reference.md, "Permissions"). */
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
  /** Field-level read permissions per entity (this one and related ones); absent = every field everywhere. */
  fields?: (entityName: string) => FieldAccess
}
