import type { CompiledEntity } from '../metadata/compiled.js'
import type { FieldType } from '../metadata/types.js'

/** What a client may send for each field type, as the API documents it (docs/VALIDATION.md, "Field types"). */
const EXPECTED: Readonly<Record<FieldType, string>> = {
  string: 'a string',
  text: 'a string',
  int: 'an integer',
  bigint: 'an integer (a JSON number or a string of digits)',
  decimal: 'a decimal number: a JSON number or a numeric string such as "12.50"',
  boolean: 'true or false',
  uuid: 'a UUID string',
  timestamp: 'an ISO 8601 date-time string such as "2026-01-31T09:30:00Z"',
  date: 'a date string YYYY-MM-DD',
  json: 'a JSON value',
  file: 'the id of an uploaded file (a UUID) or an object {"id": ...}'
}

/**
 * The accepted input of an entity's field in words, for the one detail of a wrong type or format
 * (lib/schema/ajv.ts); undefined for a path that is not a field of the entity.
 */
export function expectedInput (entity: CompiledEntity, field: string): string | undefined {
  const f = entity.fields.get(field)
  if (f === undefined) return undefined
  const base = EXPECTED[f.type]
  return f.def.required !== true && f.def.nullable !== false ? `${base}, or null` : base
}
