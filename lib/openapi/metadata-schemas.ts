import { FIELD_TYPE_ALIASES, FIELD_TYPES, ON_DELETE, RELATION_TYPES, WRITE_MODES } from '../metadata/types.js'
import { schemaRef } from './names.js'
import type { SchemaObject } from './types.js'

const NAME: SchemaObject = { type: 'string', pattern: '^[a-z][a-z0-9_]{0,62}$' }

/** Schemas of the metadata documents the admin API takes and returns (SPEC §5). */
export function metadataSchemas (): Record<string, SchemaObject> {
  return { FieldDefinition: fieldDefinition(), EntityDefinition: entityDefinition(), RelationDefinition: relationDefinition() }
}

function fieldDefinition (): SchemaObject {
  return {
    type: 'object',
    required: ['name', 'type'],
    properties: {
      name: NAME,
      type: { type: 'string', enum: [...FIELD_TYPES, ...Object.keys(FIELD_TYPE_ALIASES)] },
      required: { type: 'boolean' },
      unique: { type: 'boolean' },
      nullable: { type: 'boolean' },
      default: { description: 'Must match the field type (and the enum, if any).' },
      enum: { type: 'array', minItems: 1, maxItems: 1000, items: { type: ['string', 'number', 'boolean'] } },
      precision: { type: 'integer', minimum: 1, maximum: 1000, description: 'decimal: total digits with `scale`, else decimal places.' },
      scale: { type: 'integer', minimum: 0 },
      auto: { type: 'string', enum: ['create', 'update'], description: 'timestamp/date set by the server.' },
      max_length: { type: 'integer', minimum: 1 }
    }
  }
}

function entityDefinition (): SchemaObject {
  return {
    type: 'object',
    required: ['name', 'fields'],
    properties: {
      name: NAME,
      table: { ...NAME, description: 'Defaults to the name.' },
      primary_key: {
        type: 'object',
        required: ['field'],
        properties: {
          field: NAME,
          type: { type: 'string', enum: ['uuid', 'int', 'bigint', 'string'] },
          generated: { type: 'boolean' }
        },
        description: 'Defaults to a generated uuid `id`.'
      },
      soft_delete: { type: 'boolean' },
      slug: {
        type: 'object',
        required: ['field', 'source'],
        properties: { field: NAME, source: NAME, regenerate_on_update: { type: 'boolean' } }
      },
      fields: { type: 'array', minItems: 1, maxItems: 500, items: schemaRef('FieldDefinition') }
    }
  }
}

function relationDefinition (): SchemaObject {
  return {
    type: 'object',
    required: ['name', 'type', 'source', 'target'],
    properties: {
      name: NAME,
      type: { type: 'string', enum: [...RELATION_TYPES] },
      source: NAME,
      target: NAME,
      source_key: NAME,
      target_key: NAME,
      join_table: NAME,
      source_join_key: NAME,
      target_join_key: NAME,
      inverse_name: { ...NAME, description: 'Name of the relation seen from the target (include/nested writes); defaults to `name`.' },
      ownership: { type: 'string', enum: ['source', 'target', 'none'] },
      on_delete: { type: 'string', enum: [...ON_DELETE] },
      fetch: { type: 'string', enum: ['lazy', 'eager'] },
      write_mode: { type: 'string', enum: [...WRITE_MODES] }
    }
  }
}
