import { isSystemCatalogName } from '../db/identifiers.js'
import { canonicalType, FIELD_TYPE_SPECS, fieldTypeOf, primaryKeyType } from '../fields/index.js'
import { validationFailed, type ErrorDetail } from '../errors.js'
import { validateIndexes } from '../ddl/declared-indexes.js'
import { validateSearch } from '../ddl/search-ddl.js'
import { fieldValidator } from '../schema/record-validator.js'
import { shapeProblems } from '../schema/shape.js'
import { ENTITY_BODIES } from './schemas.js'
import type { EntityDef, FieldDef, IndexDef, PkType } from './types.js'

export { NAME_RE } from './schemas.js'
/** Static URL segments under /api/:app that an entity could otherwise shadow. */
export const RESERVED_ENTITY_NAMES = new Set(['auth'])

const DEFAULT_PK = { field: 'id', type: 'uuid', generated: true } as const

type Raw = Record<string, unknown>
type Add = (field: string, message: string, rule?: string) => void

/**
 * Validates an entity definition sent to the admin API (or imported) and returns it normalized
 * (default primary key, `deleted_at` for soft delete). The shape — keys, types, names, limits —
 * is the schema the route declares (`schemas.ts`); this checks what a schema cannot say: the
 * primary key, slug, indexes and search against the fields, defaults against the field type,
 * reserved names. Throws VALIDATION_FAILED listing every problem found.
 */
export function validateEntityDef (input: unknown): EntityDef {
  const shape = shapeProblems(ENTITY_BODIES.create, input)
  if (shape.length > 0 || !isObject(input)) throw validationFailed('Invalid entity definition', shape)
  const errors: ErrorDetail[] = []
  const add: Add = (field, message, rule = 'invalid') => { errors.push({ field, rule, message }) }
  const name = input.name as string
  if (RESERVED_ENTITY_NAMES.has(name)) add('name', `'${name}' is reserved`, 'reserved')
  const table = (input.table ?? name) as string
  if (isSystemCatalogName(table)) add('table', `table '${table}' is reserved: names starting with pg_ belong to PostgreSQL's catalogs`, 'reserved')

  const fields = validateFields(input.fields as FieldDef[], add)
  const pk = validatePrimaryKey(input.primary_key as Raw | undefined, fields, add)
  const softDelete = input.soft_delete === true
  if (softDelete) {
    const existing = fields.find((f) => f.name === 'deleted_at')
    if (existing === undefined) fields.push({ name: 'deleted_at', type: 'timestamp' })
    else if (canonicalType(existing.type) !== 'timestamp') add('fields.deleted_at', 'deleted_at must be a timestamp when soft_delete is on', 'type')
  }
  const slug = validateSlug(input.slug as Raw | null | undefined, fields, add)

  validateSearch({ name, table, primary_key: pk, fields }, (d) => errors.push(d))
  validateIndexes({ name, table, primary_key: pk, fields, indexes: input.indexes as IndexDef[] | undefined }, (d) => errors.push(d))
  if (errors.length > 0) throw validationFailed('Invalid entity definition', errors)
  const def: EntityDef = { ...input, name, table, primary_key: pk, soft_delete: softDelete, fields }
  for (const key of ['id', 'created_at', 'updated_at']) delete (def as unknown as Raw)[key]
  if (slug !== undefined) def.slug = slug
  else delete def.slug
  return def
}

function isObject (v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && !Array.isArray(v)
}

function validateFields (raw: FieldDef[], add: Add): FieldDef[] {
  const seen = new Set<string>()
  raw.forEach((f, i) => {
    if (seen.has(f.name)) add(`fields[${i}].name`, `duplicate field '${f.name}'`, 'unique')
    seen.add(f.name)
    validateField(f, `fields.${f.name}`, add)
  })
  return [...raw]
}

function validateField (f: FieldDef, at: string, add: Add): void {
  const type = canonicalType(f.type) as keyof typeof FIELD_TYPE_SPECS
  const spec = FIELD_TYPE_SPECS[type]
  if (f.auto !== undefined && !spec.temporal) add(`${at}.auto`, 'auto applies to timestamp and date fields only', 'type')
  for (const p of spec.optionProblems(f)) add(`${at}.${p.option}`, p.message, p.rule)
  if (f.default !== undefined && f.default !== null) {
    const check = fieldValidator(spec.inputSchema(f))
    if (!check(f.default)) add(`${at}.default`, `default does not match type ${type}`, 'type')
    else if (Array.isArray(f.enum) && !f.enum.includes(f.default)) add(`${at}.default`, 'default must be one of the enum values', 'enum')
  }
}

function validatePrimaryKey (raw: Raw | undefined, fields: FieldDef[], add: Add): EntityDef['primary_key'] {
  if (raw === undefined) {
    if (!fields.some((f) => f.name === DEFAULT_PK.field)) fields.unshift({ name: 'id', type: 'uuid' })
    raw = DEFAULT_PK
  }
  const type = (raw.type ?? 'uuid') as PkType
  const fieldName = raw.field as string
  const field = fields.find((f) => f.name === fieldName)
  if (field === undefined) add('primary_key.field', `primary key field '${fieldName}' is not among the fields`, 'exists')
  else if (fieldTypeOf(field).primaryKey !== primaryKeyType(type).primaryKey) add('primary_key.field', `primary key field '${fieldName}' must have type ${type}`, 'type')
  const { generates } = primaryKeyType(type).primaryKey
  const generated = raw.generated === undefined ? generates : raw.generated === true
  if (generated && !generates) add('primary_key.generated', `${type} primary keys are client-supplied`, 'type')
  return { ...raw, field: fieldName, type, generated }
}

function validateSlug (raw: Raw | null | undefined, fields: FieldDef[], add: Add): EntityDef['slug'] {
  if (raw === undefined || raw === null) return undefined
  const { field: fieldName, source } = raw as { field: string, source: string }
  const field = fields.find((f) => f.name === fieldName)
  if (field === undefined || !fieldTypeOf(field).textual) {
    add('slug.field', `slug field '${fieldName}' must be a string field of the entity`, 'exists')
  } else if (field.unique !== true) {
    // A slug names one record: GET and PUT /:entity/<slug> must reach the same row (docs/VALIDATION.md).
    add('slug.field', `slug field '${fieldName}' must be unique: true`, 'unique')
  }
  if (!fields.some((f) => f.name === source)) add('slug.source', `slug source '${source}' is not a field of the entity`, 'exists')
  return { field: fieldName, source, regenerate_on_update: raw.regenerate_on_update === true }
}
