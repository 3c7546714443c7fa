import { isSystemCatalogName } from '../db/identifiers.js'
import { canonicalType, FIELD_TYPE_SPECS } from '../fields/index.js'
import { unknownKeyDetails, validationFailed, type ErrorDetail } from '../errors.js'
import { validateIndexes } from '../ddl/declared-indexes.js'
import { validateSearch } from '../ddl/search-ddl.js'
import { fieldValidator } from '../schema/record-validator.js'
import type { EntityDef, FieldDef, IndexDef, PkType } from './types.js'

export const NAME_RE = /^[a-z][a-z0-9_]{0,62}$/
/** Static URL segments under /api/:app that an entity could otherwise shadow. */
export const RESERVED_ENTITY_NAMES = new Set(['auth'])

const LIMITS = { fields: 500, enumValues: 1000, precision: 1000 }
const PK_FIELD_TYPES: Record<PkType, string[]> = {
  uuid: ['uuid'],
  int: ['int'],
  bigint: ['bigint'],
  string: ['string', 'text']
}
const DEFAULT_PK = { field: 'id', type: 'uuid', generated: true } as const

type Raw = Record<string, unknown>

/** The keys each part of an entity definition may have (anything else is a 422 naming it). */
const ENTITY_KEYS = ['name', 'table', 'primary_key', 'soft_delete', 'slug', 'fields', 'search', 'indexes'] as const
const FIELD_KEYS = ['name', 'type', 'required', 'unique', 'default', 'nullable', 'enum', 'precision', 'scale', 'auto', 'max_length', 'searchable'] as const
const PRIMARY_KEY_KEYS = ['field', 'type', 'generated'] as const
const SLUG_KEYS = ['field', 'source', 'regenerate_on_update'] as const
/** Keys of a stored row a client may send back unchanged: ignored. */
const ROW_KEYS = ['id', 'created_at', 'updated_at'] as const

function isObject (v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

/**
 * Validates an entity definition sent to the admin API and returns it normalized
 * (default primary key, `deleted_at` for soft delete, defaults checked against the type).
 * Throws VALIDATION_FAILED listing every problem found.
 */
export function validateEntityDef (input: unknown): EntityDef {
  const errors: ErrorDetail[] = []
  const add = (field: string, message: string, rule = 'invalid'): void => { errors.push({ field, rule, message }) }
  if (!isObject(input)) throw validationFailed('Entity definition must be a JSON object')
  errors.push(...unknownKeyDetails('', input, ENTITY_KEYS, ROW_KEYS))
  if (isObject(input.primary_key)) errors.push(...unknownKeyDetails('primary_key', input.primary_key, PRIMARY_KEY_KEYS))
  if (isObject(input.slug)) errors.push(...unknownKeyDetails('slug', input.slug, SLUG_KEYS))

  const name = input.name
  if (typeof name !== 'string' || !NAME_RE.test(name)) add('name', 'name must match ^[a-z][a-z0-9_]{0,62}$', 'pattern')
  else if (RESERVED_ENTITY_NAMES.has(name)) add('name', `'${name}' is reserved`, 'reserved')
  const table = input.table ?? input.name
  if (typeof table !== 'string' || !NAME_RE.test(table)) add('table', 'table must match ^[a-z][a-z0-9_]{0,62}$', 'pattern')
  else if (isSystemCatalogName(table)) add('table', `table '${table}' is reserved: names starting with pg_ belong to PostgreSQL's catalogs`, 'reserved')

  const fields = validateFields(input.fields, add)
  const pk = validatePrimaryKey(input.primary_key, fields, add)
  if (input.soft_delete !== undefined && typeof input.soft_delete !== 'boolean') add('soft_delete', 'soft_delete must be a boolean', 'type')
  const softDelete = input.soft_delete === true
  if (softDelete) {
    const existing = fields.find((f) => f.name === 'deleted_at')
    if (existing === undefined) fields.push({ name: 'deleted_at', type: 'timestamp' })
    else if (canonicalType(existing.type) !== 'timestamp') add('fields.deleted_at', 'deleted_at must be a timestamp when soft_delete is on', 'type')
  }
  const slug = validateSlug(input.slug, fields, add)

  validateSearch(input, { name: name as string, table: table as string, primary_key: pk, fields }, (d) => errors.push(d))
  validateIndexes({ name: name as string, table: typeof table === 'string' ? table : '', primary_key: pk, fields, indexes: input.indexes as IndexDef[] | undefined }, (d) => errors.push(d))
  if (errors.length > 0) throw validationFailed('Invalid entity definition', errors)
  const def: EntityDef = { ...input, name: name as string, table: table as string, primary_key: pk, soft_delete: softDelete, fields }
  if (slug !== undefined) def.slug = slug
  else delete def.slug
  return def
}

function validateFields (raw: unknown, add: (f: string, m: string, r?: string) => void): FieldDef[] {
  if (!Array.isArray(raw) || raw.length === 0) {
    add('fields', 'fields must be a non-empty array', 'required')
    return []
  }
  if (raw.length > LIMITS.fields) add('fields', `at most ${LIMITS.fields} fields per entity`, 'max')
  const seen = new Set<string>()
  const out: FieldDef[] = []
  raw.forEach((f: unknown, i) => {
    const at = `fields[${i}]`
    if (!isObject(f)) { add(at, 'field must be an object'); return }
    if (typeof f.name !== 'string' || !NAME_RE.test(f.name)) { add(`${at}.name`, 'field name must match ^[a-z][a-z0-9_]{0,62}$', 'pattern'); return }
    if (seen.has(f.name)) add(`${at}.name`, `duplicate field '${f.name}'`, 'unique')
    seen.add(f.name)
    for (const d of unknownKeyDetails(`fields.${f.name}`, f, FIELD_KEYS)) add(d.field ?? at, d.message, 'unknown')
    const field = f as unknown as FieldDef
    if (validateField(field, `fields.${f.name}`, add)) out.push(field)
  })
  return out
}

function validateField (f: FieldDef, at: string, add: (f: string, m: string, r?: string) => void): boolean {
  const type = typeof f.type === 'string' ? canonicalType(f.type) : null
  if (type === null) { add(`${at}.type`, `unknown field type '${String(f.type)}'`, 'type'); return false }
  for (const flag of ['required', 'unique', 'nullable'] as const) {
    if (f[flag] !== undefined && typeof f[flag] !== 'boolean') add(`${at}.${flag}`, `${flag} must be a boolean`, 'type')
  }
  if (f.auto !== undefined && !(f.auto === 'create' || f.auto === 'update')) add(`${at}.auto`, "auto must be 'create' or 'update'", 'enum')
  if (f.auto !== undefined && type !== 'timestamp' && type !== 'date') add(`${at}.auto`, 'auto applies to timestamp and date fields only', 'type')
  if (f.max_length !== undefined && (!Number.isInteger(f.max_length) || f.max_length < 1)) add(`${at}.max_length`, 'max_length must be a positive integer', 'type')
  if (f.enum !== undefined) {
    if (!Array.isArray(f.enum) || f.enum.length === 0) add(`${at}.enum`, 'enum must be a non-empty array', 'type')
    else if (f.enum.length > LIMITS.enumValues) add(`${at}.enum`, `enum may hold at most ${LIMITS.enumValues} values`, 'max')
    else if (f.enum.some((v) => v === null || typeof v === 'object')) add(`${at}.enum`, 'enum values must be scalars', 'type')
  }
  if (type === 'decimal') validatePrecision(f, at, add)
  if (f.default !== undefined && f.default !== null) {
    const check = fieldValidator(FIELD_TYPE_SPECS[type].inputSchema(f))
    if (!check(f.default)) add(`${at}.default`, `default does not match type ${type}`, 'type')
    else if (Array.isArray(f.enum) && !f.enum.includes(f.default)) add(`${at}.default`, 'default must be one of the enum values', 'enum')
  }
  return true
}

function validatePrecision (f: FieldDef, at: string, add: (f: string, m: string, r?: string) => void): void {
  const { precision, scale } = f
  if (precision !== undefined && (!Number.isInteger(precision) || precision < 1 || precision > LIMITS.precision)) {
    add(`${at}.precision`, `precision must be an integer from 1 to ${LIMITS.precision}`, 'range')
  }
  if (scale !== undefined) {
    if (!Number.isInteger(scale) || scale < 0) add(`${at}.scale`, 'scale must be a non-negative integer', 'range')
    else if (precision === undefined || scale > precision) add(`${at}.scale`, 'scale must not exceed precision', 'range')
  }
}

function validatePrimaryKey (raw: unknown, fields: FieldDef[], add: (f: string, m: string, r?: string) => void): EntityDef['primary_key'] {
  if (raw === undefined) {
    if (!fields.some((f) => f.name === DEFAULT_PK.field)) fields.unshift({ name: 'id', type: 'uuid' })
    raw = DEFAULT_PK
  }
  if (!isObject(raw) || typeof raw.field !== 'string') {
    add('primary_key', 'primary_key must be {field, type, generated}', 'type')
    return { ...DEFAULT_PK }
  }
  const type = (raw.type ?? 'uuid') as PkType
  if (!(type in PK_FIELD_TYPES)) add('primary_key.type', 'primary_key.type must be uuid, int, bigint or string', 'enum')
  const field = fields.find((f) => f.name === raw.field)
  if (field === undefined) add('primary_key.field', `primary key field '${raw.field}' is not among the fields`, 'exists')
  else if (type in PK_FIELD_TYPES && !(PK_FIELD_TYPES[type] ?? []).includes(canonicalType(field.type) ?? '')) {
    add('primary_key.field', `primary key field '${raw.field}' must have type ${type}`, 'type')
  }
  const generated = raw.generated === undefined ? type !== 'string' : raw.generated === true
  if (generated && type === 'string') add('primary_key.generated', 'string primary keys are client-supplied', 'type')
  return { ...raw, field: raw.field, type, generated }
}

function validateSlug (raw: unknown, fields: FieldDef[], add: (f: string, m: string, r?: string) => void): EntityDef['slug'] {
  if (raw === undefined || raw === null) return undefined
  if (!isObject(raw) || typeof raw.field !== 'string' || typeof raw.source !== 'string') {
    add('slug', 'slug must be {field, source, regenerate_on_update?}', 'type')
    return undefined
  }
  const field = fields.find((f) => f.name === raw.field)
  if (field === undefined || !['string', 'text'].includes(canonicalType(field.type) ?? '')) {
    add('slug.field', `slug field '${raw.field}' must be a string field of the entity`, 'exists')
  } else if (field.unique !== true) {
    // A slug names one record: GET and PUT /:entity/<slug> must reach the same row (docs/VALIDATION.md).
    add('slug.field', `slug field '${raw.field}' must be unique: true`, 'unique')
  }
  if (!fields.some((f) => f.name === raw.source)) add('slug.source', `slug source '${raw.source}' is not a field of the entity`, 'exists')
  return { field: raw.field, source: raw.source, regenerate_on_update: raw.regenerate_on_update === true }
}
