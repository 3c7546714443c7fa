import type { ErrorObject, ValidateFunction } from 'ajv'
import type { JsonSchema } from '../fields/index.js'
import { ajv } from './ajv.js'

/** A compiled check of a record body: Ajv's calling convention (`errors` set after a failed call). */
export interface RecordValidator {
  (data: unknown): boolean
  errors: ErrorObject[] | null
}

/**
 * Field schemas compiled so far, by their JSON text. Entities repeat the same few shapes
 * (type × nullable × enum × max_length), so a 500-field entity costs a few Map lookups
 * instead of one Ajv compilation of all 500 properties (hundreds of ms on the event loop:
 * docs/security.md, "Fairness, limits and quotas"). Bounded: the least recently used entry is
 * dropped from here and from Ajv's own cache.
 */
const MAX_CACHED = 5000
const cache = new Map<string, { schema: JsonSchema, validate: ValidateFunction }>()

/** The compiled validator of one value schema, shared by every entity that uses the same shape. */
export function fieldValidator (schema: JsonSchema): ValidateFunction {
  const key = JSON.stringify(schema)
  const hit = cache.get(key)
  if (hit !== undefined) {
    cache.delete(key)
    cache.set(key, hit)
    return hit.validate
  }
  const entry = { schema, validate: ajv.compile(schema) }
  cache.set(key, entry)
  if (cache.size > MAX_CACHED) {
    const [oldKey, old] = cache.entries().next().value as [string, { schema: JsonSchema }]
    cache.delete(oldKey)
    ajv.removeSchema(old.schema)
  }
  return entry.validate
}

function pointer (name: string): string {
  return '/' + name.replace(/~/g, '~0').replace(/\//g, '~1')
}

function isRecord (data: unknown): data is Record<string, unknown> {
  return typeof data === 'object' && data !== null && !Array.isArray(data)
}

/**
 * Validates `{type: 'object', properties, required}` (what `entityJsonSchemas` builds) as Ajv
 * with `allErrors` would — the same error objects, in the same order (type, then required,
 * then each property in schema order) — with one cached validator per property shape.
 */
export function compileRecordValidator (schema: JsonSchema): RecordValidator {
  const properties = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)
    .map(([name, s]) => ({ name, path: pointer(name), validate: fieldValidator(s) }))
  const required = (schema.required ?? []) as string[]
  const check = ((data: unknown): boolean => {
    // Made on the first error only: a bulk create checks up to 1,000 records that mostly pass.
    let errors: ErrorObject[] | null = null
    if (!isRecord(data)) {
      errors = [{ instancePath: '', schemaPath: '#/type', keyword: 'type', params: { type: 'object' }, message: 'must be object' }]
    } else {
      for (const name of required) {
        if (data[name] === undefined) {
          (errors ??= []).push({ instancePath: '', schemaPath: '#/required', keyword: 'required', params: { missingProperty: name }, message: `must have required property '${name}'` })
        }
      }
      for (const p of properties) {
        const value = data[p.name]
        if (value === undefined || p.validate(value)) continue
        for (const e of p.validate.errors ?? []) (errors ??= []).push({ ...e, instancePath: p.path + e.instancePath, schemaPath: `#/properties${p.path}${e.schemaPath.slice(1)}` })
      }
    }
    check.errors = errors
    return errors === null
  }) as RecordValidator
  check.errors = null
  return check
}
