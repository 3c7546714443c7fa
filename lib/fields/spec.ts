import type { FieldDef } from '../metadata/types.js'
import { FILTER_OPS, type FilterOp } from '../query/types.js'

/** JSON Schema fragment (input to Ajv, fast-json-stringify and OpenAPI). */
export type JsonSchema = Record<string, unknown>

/** Thrown by `fromQuery` when a query-string value does not convert to the field's type. */
export class FieldValueError extends Error {}

/** A non-null payload value as postgres.js sends it for a `$n` placeholder. */
export type ParamValue = string | number | boolean

/** One problem of a field option, reported at `fields.<name>.<option>`. */
export interface OptionProblem {
  option: string
  message: string
  rule: string
}

/** Three-way comparison of two values of one field type; null when either does not convert. */
export type Compare = (a: unknown, b: unknown) => number | null

/** What a field type knows as the type of a primary key (`primary_key.type`, docs/reference.md). */
export interface PrimaryKeySpec {
  /** Whether the server can generate values: `generated` defaults to this, and may be true only then. */
  generates: boolean
  /** Whether generated values come from an identity sequence (to be moved past imported ids). */
  identity: boolean
  /** The key column's definition after its name. */
  column: (generated: boolean) => string
  /** OpenAPI schema of the `{id}` path segment. */
  pathSchema: JsonSchema
  /** Detail message for an `{id}` that is not a key of this type (never shown for text keys). */
  malformed: string
}

/**
 * Everything the engine needs to know about one field type (PocketBase's "one file per field
 * type"). Compiled metadata carries it (`CompiledField.spec`), so callers ask the spec instead
 * of branching on the type name (docs/ARCHITECTURE.md, "Field types").
 */
export interface FieldTypeSpec {
  /** PostgreSQL column type; built from a closed set of values only. */
  columnType: (field: FieldDef) => string
  /** Column types this one may be widened to in place (ALTER COLUMN TYPE without data loss). */
  widensTo: readonly string[]
  /** Schema of the value a client may send. */
  inputSchema: (field: FieldDef) => JsonSchema
  /** Schema of the value the API returns (drives the serializer). */
  outputSchema: (field: FieldDef) => JsonSchema
  /** The accepted input in words, for the detail of a wrong type (docs/VALIDATION.md, "One detail per field"). */
  expected: string
  /** Sentence added to the field's OpenAPI description, where values need explaining. */
  note?: string
  /** Problems of the type's own options in a field definition (`scale` of a decimal...). */
  optionProblems: (field: FieldDef) => readonly OptionProblem[]

  /** Values compare (sort, group_by, permission conditions, indexes); else only `is_null` applies. */
  comparable: boolean
  /** Values have an order: gt/gte/lt/lte, min/max. */
  ordered: boolean
  /** Values are numbers: sum/avg, and the min/max of field rules. */
  numeric: boolean
  /** Free text (string, text): like/ilike, slugs, search, state fields, length and pattern rules, blank = empty. */
  textual: boolean
  /** A point in time: `auto` applies. */
  temporal: boolean
  /** Values are uploaded files (an id in, a stored file object out). */
  file: boolean
  /** Name of the values' domain: keys of one family can reference each other (string and text share one). */
  family: string
  /** Query-language operators that apply, in FILTER_OPS order (derived from the flags above). */
  operators: readonly FilterOp[]

  /** Converts a query-string filter value; throws FieldValueError when it does not convert. */
  fromQuery: (raw: string) => unknown
  /**
   * Bounds PostgreSQL enforces that `fromQuery` does not, on its result: checked so such values
   * are a 400 rather than a driver error (a year beyond 9999 is even a 500: 22009).
   */
  inRange: (value: unknown) => boolean
  /** OpenAPI schema of one filter value as written in the query string. */
  filterSchema: (field: FieldDef) => JsonSchema
  /** Element type of `= ANY($n::type[])`: the column type without modifiers. */
  arrayElementType: (field: FieldDef) => string
  /** An array parameter as an array literal, where postgres.js would mistype a JS array of these values. */
  arrayLiteral?: (list: readonly unknown[]) => string
  /** JavaScript comparison agreeing with PostgreSQL on stored values (in-memory permission checks). */
  compare: Compare

  /** Cast appended to a `$n` placeholder bound to a value of this type (write path). */
  cast: string
  /** A non-null payload value as the parameter postgres.js sends. */
  toParam: (value: unknown) => ParamValue
  /** A column's text as the driver would parse it (lib/db/connection.ts). */
  fromText: (text: string) => unknown
  /** SQL of a column value as the API shows it (text for timestamps, decimals, bigints, dates). */
  shownSql: (expr: string) => string
  /** SQL jsonb of a column value as the API shows it (SQL NULL → JSON null). */
  jsonSql: (expr: string) => string
  /** A moment, given as ISO 8601 UTC text, as this type stores it (`auto`, `"now"`, computed dates). */
  storedMoment: (iso: string) => string
  /** Whether a present value counts as empty for `required` (docs/VALIDATION.md). */
  blank: (value: unknown) => boolean

  /** The value an `{id}` or key text denotes, or undefined when it is not a key of this type. */
  parseKey: (raw: string) => unknown
  /** Canonical text of a key value, for comparing payload keys with loaded rows. */
  keyText: (value: unknown) => string
  /** Whether a payload value can be a key of this type (checked before it is bound). */
  isKeyValue: (value: unknown) => boolean
  /** Set on the types a primary key may have. */
  primaryKey?: PrimaryKeySpec
}

/** What a type file must say; the rest has the defaults of `defineFieldType`. */
export type FieldTypeOptions = Pick<FieldTypeSpec, 'columnType' | 'inputSchema' | 'outputSchema' | 'expected' | 'fromQuery' | 'ordered' | 'family' | 'cast' | 'compare'> &
  Partial<Omit<FieldTypeSpec, 'operators'>>

const ORDERED_OPS: ReadonlySet<FilterOp> = new Set<FilterOp>(['gt', 'gte', 'lt', 'lte'])
const PATTERN_OPS: ReadonlySet<FilterOp> = new Set<FilterOp>(['like', 'ilike'])

function operatorsOf (t: Pick<FieldTypeSpec, 'comparable' | 'ordered' | 'textual'>): FilterOp[] {
  if (!t.comparable) return ['is_null']
  return FILTER_OPS.filter((op) => (ORDERED_OPS.has(op) ? t.ordered : PATTERN_OPS.has(op) ? t.textual : true))
}

/**
 * A field type from what its file says, with the defaults of a plain scalar: comparable, not
 * numeric/textual/temporal, sent and read back as is, shown by `to_jsonb`, never blank, any
 * text a key.
 */
export function defineFieldType (o: FieldTypeOptions): FieldTypeSpec {
  const shownSql = o.shownSql ?? ((expr: string) => expr)
  const parseKey = o.parseKey ?? ((raw: string) => raw)
  const flags = {
    comparable: o.comparable ?? true,
    ordered: o.ordered,
    numeric: o.numeric ?? false,
    textual: o.textual ?? false,
    temporal: o.temporal ?? false,
    file: o.file ?? false
  }
  return {
    widensTo: [],
    optionProblems: () => [],
    inRange: () => true,
    filterSchema: () => ({ type: 'string' }),
    arrayElementType: o.columnType,
    toParam: (value) => value as ParamValue,
    fromText: (text) => text,
    jsonSql: (expr) => `COALESCE(to_jsonb(${shownSql(expr)}), 'null'::jsonb)`,
    storedMoment: (iso) => iso,
    blank: () => false,
    keyText: (value) => String(value),
    isKeyValue: (value) => typeof value === 'string' && parseKey(value) !== undefined,
    ...o,
    ...flags,
    shownSql,
    parseKey,
    operators: operatorsOf(flags)
  }
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const INTEGER_RE = /^-?\d+$/
export const DECIMAL_RE = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/

export function fail (message: string): never {
  throw new FieldValueError(message)
}
