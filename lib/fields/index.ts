import { FIELD_TYPE_ALIASES, FIELD_TYPES, type FieldDef, type FieldType, type PkType } from '../metadata/types.js'
import { boolean } from './boolean.js'
import { decimal } from './decimal.js'
import { bigint, int } from './integer.js'
import { file, json } from './json.js'
import type { FieldTypeSpec, PrimaryKeySpec } from './spec.js'
import { date, timestamp } from './temporal.js'
import { text } from './text.js'
import { uuid } from './uuid.js'

export { FieldValueError, type FieldTypeSpec, type JsonSchema, type PrimaryKeySpec } from './spec.js'

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

/** The field type each `primary_key.type` names (`string` keys are text columns). */
const PRIMARY_KEY_TYPES: Readonly<Record<PkType, FieldTypeSpec & { primaryKey: PrimaryKeySpec }>> = {
  uuid: withKey(uuid),
  int: withKey(int),
  bigint: withKey(bigint),
  string: withKey(text)
}

function withKey (spec: FieldTypeSpec): FieldTypeSpec & { primaryKey: PrimaryKeySpec } {
  if (spec.primaryKey === undefined) throw new Error('not a primary key type')
  return spec as FieldTypeSpec & { primaryKey: PrimaryKeySpec }
}

/** Canonical type of a field type name (resolving aliases), or null when unknown. */
export function canonicalType (type: string): FieldType | null {
  if ((FIELD_TYPES as readonly string[]).includes(type)) return type as FieldType
  return FIELD_TYPE_ALIASES[type] ?? null
}

/** The spec of a field definition's type (aliases resolved; an unknown name, which validation refuses, reads as string). */
export function fieldTypeOf (f: FieldDef): FieldTypeSpec {
  return FIELD_TYPE_SPECS[canonicalType(f.type) ?? 'string']
}

/** The field type of a `primary_key.type`, with what it knows as a key. */
export function primaryKeyType (type: PkType): FieldTypeSpec & { primaryKey: PrimaryKeySpec } {
  return PRIMARY_KEY_TYPES[type]
}
