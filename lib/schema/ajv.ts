import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv'
import addFormats from 'ajv-formats'
import type { ErrorDetail } from '../errors.js'
import type { JsonSchema } from '../fields/index.js'

/**
 * The one Ajv instance for payload validation. Strict JSON types (no coercion: a string is
 * not a number), all errors collected. Entity bodies are checked field by field with validators
 * cached per field shape (`record-validator.ts`), which also bounds Ajv's own schema cache.
 */
export const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false })
addFormats.default(ajv, ['uuid', 'date', 'date-time', 'email', 'uri'])

/** Turns Ajv errors into envelope details, naming the field and the rule that failed. */
export function ajvErrorsToDetails (errors: ErrorObject[] | null | undefined, prefix = ''): ErrorDetail[] {
  const details: ErrorDetail[] = []
  const seen = new Set<string>()
  for (const e of errors ?? []) {
    // anyOf branches repeat the same failure; report it once, on the field.
    if (e.keyword === 'anyOf') continue
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
    const field = e.keyword === 'required' ? joinPath(path, String(e.params.missingProperty)) : path
    const rule = ruleOf(e)
    const key = `${field}|${rule}`
    if (seen.has(key)) continue
    seen.add(key)
    details.push({ field: prefix + field, rule, message: messageOf(field, e) })
  }
  return details
}

function joinPath (a: string, b: string): string {
  return a === '' ? b : `${a}.${b}`
}

function ruleOf (e: ErrorObject): string {
  switch (e.keyword) {
    case 'required': return 'required'
    case 'enum': return 'enum'
    case 'maxLength': return 'max_length'
    case 'minLength': return 'min_length'
    case 'minimum': case 'maximum': return 'range'
    case 'format': return 'format'
    default: return 'type'
  }
}

function messageOf (field: string, e: ErrorObject): string {
  switch (e.keyword) {
    case 'required': return `${field} is required`
    case 'enum': return `${field} must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`
    case 'type': return `${field} must be of type ${String(e.params.type)}`
    case 'format': return `${field} must be a valid ${String(e.params.format)}`
    default: return `${field} ${e.message ?? 'is invalid'}`
  }
}
