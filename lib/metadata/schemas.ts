import { SEARCH_LANGUAGES } from '../ddl/search-ddl.js'
import { dataEnvelope, ENTITY_FILTER_QUERY, keyParams, namedSchema, writeBodies, type Schema } from '../schema/route-schemas.js'
import { nameDetailPaths } from '../schema/route-validation.js'
import { NAME_PATTERN, NAME_RE } from './name-pattern.js'
import { FIELD_TYPE_ALIASES, FIELD_TYPES, ON_DELETE, RELATION_TYPES, WRITE_MODES } from './types.js'

export { NAME_PATTERN, NAME_RE }
export const NAME: Schema = { type: 'string', pattern: NAME_PATTERN }

/** What one entity may hold (a registry rebuild and the OpenAPI document grow with it). */
export const ENTITY_LIMITS = { fields: 500, enumValues: 1000, precision: 1000, indexFields: 16 } as const

const flag = (description?: string): Schema => ({ type: 'boolean', ...(description !== undefined ? { description } : {}) })

/**
 * One field of an entity (docs/reference.md, "Metadata"). What a schema cannot say stays in
 * `validate-entity.ts`: `default` against the field's type, `scale` against `precision`, `auto`
 * against the type, duplicate names.
 */
const FIELD_DEFINITION = namedSchema('FieldDefinition', {
  type: 'object',
  required: ['name', 'type'],
  properties: {
    name: NAME,
    type: { type: 'string', enum: [...FIELD_TYPES, ...Object.keys(FIELD_TYPE_ALIASES)], description: '`integer`, `datetime` and `jsonb` are accepted for int, timestamp and json.' },
    required: flag('Refuses a missing key, null and (string/text) an empty or blank string.'),
    unique: flag(),
    nullable: flag(),
    default: { description: 'Must match the field type (and the enum, if any).' },
    enum: { type: 'array', minItems: 1, maxItems: ENTITY_LIMITS.enumValues, items: { type: ['string', 'number', 'boolean'] } },
    precision: { type: 'integer', minimum: 1, maximum: ENTITY_LIMITS.precision, description: 'decimal: total digits with `scale`, else decimal places.' },
    scale: { type: 'integer', minimum: 0, description: 'decimal: at most `precision`.' },
    auto: { type: 'string', enum: ['create', 'update'], description: 'timestamp/date set by the server.' },
    max_length: { type: 'integer', minimum: 1 },
    searchable: flag('string/text: part of the entity\'s full-text search column.')
  },
  additionalProperties: false
})

const INDEX: Schema = {
  type: 'object',
  required: ['fields'],
  properties: {
    name: { ...NAME, description: 'Defaults to a name derived from the table and fields.' },
    fields: { type: 'array', minItems: 1, maxItems: ENTITY_LIMITS.indexFields, items: { type: 'string', minLength: 1, maxLength: 64 }, description: 'Field names, `-` first for descending.' },
    unique: flag(),
    where: { type: 'object', additionalProperties: { type: 'string' }, description: 'Filter keys as in query strings (`status`, `total.gte`) → values: a partial index.' }
  },
  additionalProperties: false
}

/** The keys of an entity definition (docs/reference.md, "Metadata"). */
const ENTITY_PROPERTIES: Record<string, Schema> = {
  name: NAME,
  table: { ...NAME, description: 'Defaults to the name.' },
  primary_key: {
    type: 'object',
    required: ['field'],
    properties: {
      field: NAME,
      type: { type: 'string', enum: ['uuid', 'int', 'bigint', 'string'], default: 'uuid' },
      generated: flag('Default: true, except for string keys (client-supplied).')
    },
    additionalProperties: false,
    description: 'Defaults to a generated uuid `id`.'
  },
  soft_delete: flag('Adds `deleted_at`; deletes set it.'),
  slug: {
    type: ['object', 'null'],
    required: ['field', 'source'],
    properties: { field: { ...NAME, description: 'A unique string field.' }, source: NAME, regenerate_on_update: flag() },
    additionalProperties: false
  },
  fields: { type: 'array', minItems: 1, maxItems: ENTITY_LIMITS.fields, items: FIELD_DEFINITION },
  search: { type: 'object', properties: { language: { type: 'string', enum: [...SEARCH_LANGUAGES] } }, additionalProperties: false },
  indexes: { type: 'array', items: INDEX, description: 'Built concurrently after the change commits; `GET /_admin/entities/{name}/indexes` reports their status.' }
}

/**
 * Error paths name an entity's fields by their name (`fields.title.requried`), as every check of
 * `validate-entity.ts` does, and other array elements by index (`indexes[0].fields`).
 */
function entityPath (instancePath: string, body: unknown): string {
  const fields = (body as { fields?: unknown } | null)?.fields
  return instancePath.replace(/^\/fields\/(\d+)(?=\/|$)/, (whole, i: string) => {
    const name = Array.isArray(fields) ? (fields[Number(i)] as { name?: unknown } | undefined)?.name : undefined
    return typeof name === 'string' && NAME_RE.test(name) && !instancePath.startsWith(`/fields/${i}/name`) ? `/fields/${name}` : `/fields[${i}]`
  }).replace(/\/(\d+)(?=\/|$)/g, '[$1]')
}

const entityBodies = writeBodies(ENTITY_PROPERTIES, ['name', 'fields'])

/** `POST /_admin/entities` (and import); `PUT` takes the same definition, its name from the URL. */
export const ENTITY_BODIES = {
  create: nameDetailPaths(namedSchema('EntityDefinition', entityBodies.create), entityPath),
  update: nameDetailPaths({ ...entityBodies.update, required: ['fields'] }, entityPath)
}

/** A stored (normalized) entity definition. */
export const ENTITY_ITEM: Schema = {
  type: 'object',
  required: ['name', 'table', 'primary_key', 'fields'],
  properties: ENTITY_PROPERTIES,
  additionalProperties: false
}

/** The keys of a relation (docs/reference.md, "Metadata"); entities and keys are checked against the registry in `validate-relation.ts`. */
const RELATION_PROPERTIES: Record<string, Schema> = {
  name: NAME,
  type: { type: 'string', enum: [...RELATION_TYPES] },
  source: { ...NAME, description: 'The entity holding the key (`source_key`).' },
  target: { ...NAME, description: 'The entity pointing at it (`target_key`), or the other side of a many_to_many.' },
  source_key: { ...NAME, description: 'Default: the source\'s primary key.' },
  target_key: { ...NAME, description: 'Default: `<source>_id` (many_to_many: the target\'s primary key).' },
  join_table: { ...NAME, description: 'many_to_many; default: the relation name.' },
  source_join_key: NAME,
  target_join_key: NAME,
  inverse_name: { ...NAME, description: 'Name of the relation seen from the target (include/nested writes); defaults to `name`.' },
  ownership: { type: 'string', enum: ['source', 'target', 'none'] },
  on_delete: { type: 'string', enum: [...ON_DELETE] },
  fetch: { type: 'string', enum: ['lazy', 'eager'] },
  write_mode: { type: 'string', enum: [...WRITE_MODES] }
}

const relationBodies = writeBodies(RELATION_PROPERTIES, ['name', 'type', 'source', 'target'])

export const RELATION_BODIES = {
  create: namedSchema('RelationDefinition', relationBodies.create),
  update: relationBodies.update
}

export const RELATION_ITEM: Schema = {
  type: 'object',
  required: ['name', 'type', 'source', 'target', 'source_key', 'target_key'],
  properties: RELATION_PROPERTIES,
  additionalProperties: false
}

/** `?drop=true` of `DELETE /_admin/entities/{name}`. */
export const DROP_QUERY: Schema = {
  type: 'object',
  properties: { drop: { type: 'boolean', default: false, description: '`true` also drops the table (otherwise only the metadata goes).' } },
  additionalProperties: false
}

export { ENTITY_FILTER_QUERY }

/** `GET /_admin/entities/{name}/indexes`. */
export const ENTITY_INDEXES_ROUTE = {
  operationId: 'admin_entity_indexes',
  summary: 'Declared indexes of an entity and their build status',
  tags: ['admin'],
  params: keyParams('name'),
  response: {
    200: dataEnvelope({
      type: 'array',
      items: {
        type: 'object',
        required: ['name', 'fields', 'unique', 'where', 'status'],
        properties: {
          name: { type: 'string' },
          fields: { type: 'array', items: { type: 'string' } },
          unique: { type: 'boolean' },
          where: { type: 'object', additionalProperties: { type: 'string' } },
          status: { type: 'string', enum: ['building', 'ready', 'failed'] },
          error: { type: 'string', description: 'Why the build failed.' }
        },
        additionalProperties: false
      }
    })
  }
}
