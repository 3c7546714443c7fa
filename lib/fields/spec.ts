import type { FieldDef } from '../metadata/types.js'

/** JSON Schema fragment (input to Ajv, fast-json-stringify and OpenAPI). */
export type JsonSchema = Record<string, unknown>

/** Thrown by `fromQuery` when a query-string value does not convert to the field's type. */
export class FieldValueError extends Error {}

/** Everything the engine needs to know about one field type (PocketBase's "one file per field type"). */
export interface FieldTypeSpec {
  /** PostgreSQL column type; built from a closed set of values only. */
  columnType: (field: FieldDef) => string
  /** Schema of the value a client may send. */
  inputSchema: (field: FieldDef) => JsonSchema
  /** Schema of the value the API returns (drives the serializer). */
  outputSchema: (field: FieldDef) => JsonSchema
  /** Converts a query-string filter value; throws FieldValueError when it does not convert. */
  fromQuery: (raw: string) => unknown
  /** Whether `gt/lt/...` make sense on this type. */
  ordered: boolean
  /** Column types this one may be widened to in place (ALTER COLUMN TYPE without data loss). */
  widensTo: readonly string[]
}

export const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export const INTEGER_RE = /^-?\d+$/
export const DECIMAL_RE = /^-?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?$/

export function fail (message: string): never {
  throw new FieldValueError(message)
}
