import { Ajv, type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import type { ErrorDetail } from '../errors.js'

/**
 * The one Ajv instance for payload validation. Strict JSON types (no coercion: a string is
 * not a number), all errors collected. Entity bodies are checked field by field with validators
 * cached per field shape (`record-validator.ts`), which also bounds Ajv's own schema cache.
 * `verbose` keeps the failing schema on each error, so an unknown key can be answered with the
 * keys that are allowed (`route-validation.ts`).
 */
export const ajv = new Ajv({ allErrors: true, strict: false, coerceTypes: false, useDefaults: false, verbose: true })
addFormats.default(ajv, ['uuid', 'date', 'date-time', 'email', 'uri'])

export interface DetailOptions {
  /** Prepended to every field path (a nested record's location). */
  prefix?: string
  /**
   * What a field accepts, in words ("a decimal number: ..."), for the message of a wrong type or
   * format; undefined keeps Ajv's wording.
   */
  describe?: (field: string) => string | undefined
}

/** Which failure a field's one detail reports: the first rule listed wins. */
const RULE_PRIORITY: readonly string[] = ['required', 'enum', 'format', 'max_length', 'min_length', 'range', 'type']

/**
 * Turns Ajv errors into envelope details, naming the field and the rule that failed: ONE detail
 * per field. A value failing several branches of an `anyOf` (a nullable enum: not in the list AND
 * not null; a decimal: not a number AND not a numeric string) is one mistake, reported by its most
 * telling rule rather than once per branch.
 */
export function ajvErrorsToDetails (errors: ErrorObject[] | null | undefined, opts: DetailOptions = {}): ErrorDetail[] {
  const { prefix = '', describe } = opts
  const best = new Map<string, ErrorObject>()
  for (const e of errors ?? []) {
    // The branch errors say what is wrong; `anyOf` and `if` only say that a branch failed.
    if (e.keyword === 'anyOf' || e.keyword === 'if') continue
    const field = fieldOf(e)
    const kept = best.get(field)
    if (kept === undefined || rank(e) < rank(kept)) best.set(field, e)
  }
  const details: ErrorDetail[] = []
  for (const [field, e] of best) {
    const rule = ruleOf(e)
    const expected = rule === 'type' || rule === 'format' ? describe?.(field) : undefined
    const message = expected !== undefined ? `${field} must be ${expected}` : messageOf(field, e)
    details.push({ field: prefix + field, rule, message })
  }
  return details
}

function fieldOf (e: ErrorObject): string {
  const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
  return e.keyword === 'required' ? joinPath(path, String(e.params.missingProperty)) : path
}

function rank (e: ErrorObject): number {
  const i = RULE_PRIORITY.indexOf(ruleOf(e))
  return i === -1 ? RULE_PRIORITY.length : i
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
    case 'maxItems': case 'maxProperties': return 'max'
    case 'format': return 'format'
    case 'false schema': return 'unknown'
    default: return 'type'
  }
}

function messageOf (field: string, e: ErrorObject): string {
  switch (e.keyword) {
    case 'required': return `${field} is required`
    case 'enum': return `${field} must be one of: ${(e.params.allowedValues as unknown[]).join(', ')}`
    case 'type': return `${field} must be of type ${String(e.params.type)}`
    case 'format': return `${field} must be a valid ${String(e.params.format)}`
    case 'minLength': return `${field} must be at least ${String(e.params.limit)} characters`
    case 'maxLength': return `${field} must be at most ${String(e.params.limit)} characters`
    case 'maxItems': return `${field} must hold at most ${String(e.params.limit)} items`
    case 'minItems': return `${field} must hold at least ${String(e.params.limit)} item${e.params.limit === 1 ? '' : 's'}`
    case 'false schema': return `${field} is not allowed here`
    default: return `${field} ${e.message ?? 'is invalid'}`
  }
}
