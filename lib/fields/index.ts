import { FIELD_TYPE_ALIASES, FIELD_TYPES, type FieldType } from '../metadata/types.js'
import { boolean } from './boolean.js'
import { decimal } from './decimal.js'
import { bigint, int } from './integer.js'
import { file, json } from './json.js'
import type { FieldTypeSpec } from './spec.js'
import { date, timestamp } from './temporal.js'
import { text } from './text.js'
import { uuid } from './uuid.js'

export { FieldValueError, type FieldTypeSpec, type JsonSchema } from './spec.js'

export const FIELD_TYPE_SPECS: Readonly<Record<FieldType, FieldTypeSpec>> = {
  string: text,
  text,
  int,
  bigint,
  decimal,
  boolean,
  uuid,
  timestamp,
  date,
  json,
  file
}

/** Canonical type of a field type name (resolving aliases), or null when unknown. */
export function canonicalType (type: string): FieldType | null {
  if ((FIELD_TYPES as readonly string[]).includes(type)) return type as FieldType
  return FIELD_TYPE_ALIASES[type] ?? null
}
