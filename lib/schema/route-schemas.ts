import type { JsonSchema } from '../fields/spec.js'
import { ERROR_DETAIL as ERROR_DETAIL_SCHEMA } from '../openapi/components.js'

/**
 * Building blocks of declared route schemas (docs/ARCHITECTURE.md, "Route schemas"): the
 * envelopes of docs/reference.md and the keys every stored definition carries.
 */
export type Schema = JsonSchema

/** `{data: <schema>}`: every success body; the same builder the OpenAPI document uses. */
export { dataEnvelope } from '../openapi/components.js'

const NAMES = new Map<object, string>()

/**
 * Names a schema that several operations share (`EntityDefinition`, `TokenResponse`): the OpenAPI
 * document lists it once under `components.schemas` and refers to it by `$ref` wherever the same
 * object appears in a route schema. Names must be in the OpenAPI builder's `SHARED_SCHEMAS`, so
 * no entity component takes them.
 */
export function namedSchema<T extends Schema> (name: string, schema: T): T {
  NAMES.set(schema, name)
  return schema
}

/** The component name of a schema object given to `namedSchema`. */
export function schemaName (schema: unknown): string | undefined {
  return typeof schema === 'object' && schema !== null ? NAMES.get(schema) : undefined
}

/** One entry of an error's `details`: the `ErrorDetail` component wherever a route answer holds one. */
export const ERROR_DETAIL = namedSchema('ErrorDetail', ERROR_DETAIL_SCHEMA)

/** Keys of a stored definition, as returned. */
export const ROW_PROPERTIES: Record<string, Schema> = {
  id: { type: 'string', readOnly: true },
  created_at: { type: 'string', format: 'date-time', readOnly: true },
  updated_at: { type: 'string', format: 'date-time', readOnly: true }
}

/**
 * The same keys in a body: accepted and ignored, whatever their value, so a client may PUT back
 * what it read (and a stored row, dates included, re-checks when metadata loads).
 */
const IGNORED_ROW_PROPERTIES: Record<string, Schema> = {
  id: { readOnly: true, description: 'Ignored.' },
  created_at: { readOnly: true, description: 'Ignored.' },
  updated_at: { readOnly: true, description: 'Ignored.' }
}

/** A JSON object whose keys are free (business-logic definitions checked by their compiler). */
export const FREE_OBJECT: Schema = { type: 'object', additionalProperties: true }

/** The path parameter naming a stored item (params schemas stay open: they also see the prefix's `:app`). */
export function keyParams (key: string): Schema {
  return { type: 'object', required: [key], properties: { [key]: { type: 'string', minLength: 1, maxLength: 200 } } }
}

/** `:id` of a stored definition. */
export const ID_PARAMS: Schema = keyParams('id')

/** `?entity=` filter of definition lists. */
export const ENTITY_FILTER_QUERY: Schema = {
  type: 'object',
  properties: { entity: { type: 'string', maxLength: 200, description: 'Only definitions of this entity.' } }
}

/**
 * The body of a create (`required` as given) and of an update (nothing required: omitted keys
 * keep their stored values), both closed: an unknown key is a 422 with a did-you-mean hint.
 */
export function writeBodies (properties: Record<string, Schema>, required: string[]): { create: Schema, update: Schema } {
  const all = { ...properties, ...IGNORED_ROW_PROPERTIES }
  return {
    create: { type: 'object', required, properties: all, additionalProperties: false },
    update: { type: 'object', properties: all, additionalProperties: false }
  }
}

/** A stored definition as the admin API answers it. */
export function storedItem (properties: Record<string, Schema>): Schema {
  return { type: 'object', required: ['id', ...Object.keys(properties)], properties: { ...ROW_PROPERTIES, ...properties }, additionalProperties: false }
}

/**
 * A stored definition as an export document holds it (docs/reference.md, "Export and import"):
 * `item` without the row keys (id, timestamps), without `drop`, and `optional` keys not required.
 */
export function documentItem (item: Schema, opts: { drop?: string[], optional?: string[] } = {}): Schema {
  const gone = new Set([...Object.keys(ROW_PROPERTIES), ...(opts.drop ?? [])])
  const optional = new Set([...gone, ...(opts.optional ?? [])])
  const properties = Object.fromEntries(Object.entries(item.properties as Record<string, Schema>).filter(([k]) => !gone.has(k)))
  const required = (item.required as string[] | undefined ?? []).filter((k) => !optional.has(k))
  return { ...item, required, properties }
}
