import { fieldTypeOf, type JsonSchema } from '../fields/index.js'
import type { EntityDef, FieldDef } from '../metadata/types.js'

export interface EntityJsonSchemas {
  /** Body of a create (relation keys excluded; they are validated per relation). */
  create: JsonSchema
  /** Body of a partial update. */
  update: JsonSchema
  /** One record as returned by the API. */
  output: JsonSchema
}

/** Whether clients may send a value for this field at all. */
export function isWritableField (entity: EntityDef, f: FieldDef): boolean {
  if (f.auto !== undefined) return false
  if (entity.soft_delete === true && f.name === 'deleted_at') return false
  return true
}

/** Whether a create must carry this field (no default, not generated, not derived). */
export function isRequiredOnCreate (entity: EntityDef, f: FieldDef): boolean {
  if (f.required !== true || f.default !== undefined || !isWritableField(entity, f)) return false
  if (f.name === entity.primary_key.field && entity.primary_key.generated === true) return false
  if (entity.slug?.field === f.name) return false
  return true
}

function valueSchema (f: FieldDef, forInput: boolean): JsonSchema {
  const spec = fieldTypeOf(f)
  const base = forInput ? spec.inputSchema(f) : spec.outputSchema(f)
  if (forInput && Array.isArray(f.enum)) return { ...base, enum: f.enum }
  return base
}

function nullable (schema: JsonSchema): JsonSchema {
  // An enum lists the allowed values, so null must be added as an alternative, not a type.
  if (schema.enum !== undefined) return { anyOf: [schema, { type: 'null' }] }
  if (typeof schema.type === 'string') return { ...schema, type: [schema.type, 'null'] }
  if (Object.keys(schema).length === 0) return schema
  if (Array.isArray(schema.anyOf)) return { anyOf: [...schema.anyOf, { type: 'null' }] }
  return { anyOf: [schema, { type: 'null' }] }
}

/**
 * Pure metadata → JSON Schema. Ajv (create/update validators), fast-json-stringify (output)
 * and the OpenAPI builder all consume this one function.
 */
export function entityJsonSchemas (entity: EntityDef): EntityJsonSchemas {
  const createProps: Record<string, JsonSchema> = {}
  const updateProps: Record<string, JsonSchema> = {}
  const outputProps: Record<string, JsonSchema> = {}
  const required: string[] = []
  for (const f of entity.fields) {
    outputProps[f.name] = nullable(valueSchema(f, false))
    if (!isWritableField(entity, f)) continue
    const input = valueSchema(f, true)
    const mayBeNull = f.required !== true && f.nullable !== false
    createProps[f.name] = mayBeNull ? nullable(input) : input
    if (f.name !== entity.primary_key.field) updateProps[f.name] = mayBeNull ? nullable(input) : input
    if (isRequiredOnCreate(entity, f)) required.push(f.name)
  }
  return {
    create: { type: 'object', properties: createProps, required },
    update: { type: 'object', properties: updateProps },
    output: { type: 'object', properties: outputProps }
  }
}
