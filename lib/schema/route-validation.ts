import { Ajv, type AnySchema, type ErrorObject } from 'ajv'
import addFormats from 'ajv-formats'
import { didYouMean, type ErrorDetail } from '../errors.js'
import { ajv, ajvErrorsToDetails } from './ajv.js'

/**
 * Validation of declared route schemas (docs/ARCHITECTURE.md, "Route schemas"): one schema per
 * route drives validation, serialization and the OpenAPI document.
 *
 * Bodies go through the project's Ajv (`ajv.ts`: strict JSON types, nothing coerced, nothing
 * removed), so a body schema with `additionalProperties: false` refuses an unknown key instead of
 * silently dropping it. Query strings and path parameters arrive as text, so they go through a
 * second instance that coerces (`?limit=5` is the number 5) and applies defaults.
 */
const urlAjv = new Ajv({ allErrors: true, strict: false, coerceTypes: 'array', useDefaults: true, verbose: true })
addFormats.default(urlAjv, ['uuid', 'date', 'date-time', 'email', 'uri'])

export type HttpPart = 'body' | 'querystring' | 'params' | 'headers'

export function compileRouteValidator (schema: AnySchema, httpPart: string | undefined): ReturnType<Ajv['compile']> {
  return (httpPart === 'body' ? ajv : urlAjv).compile(schema)
}

/**
 * Envelope details of a failed route schema: one per field (as entity bodies report them), and an
 * unknown key named with a did-you-mean hint against the keys the schema allows.
 */
export function routeErrorDetails (errors: readonly ErrorObject[], prefix = ''): ErrorDetail[] {
  const unknown: ErrorDetail[] = []
  const rest: ErrorObject[] = []
  for (const e of errors) {
    if (e.keyword !== 'additionalProperties') { rest.push(e); continue }
    const key = String(e.params.additionalProperty).slice(0, 100)
    const path = e.instancePath.replace(/^\//, '').replace(/\//g, '.')
    const allowed = Object.keys((e.parentSchema as { properties?: Record<string, unknown> } | undefined)?.properties ?? {})
    const field = prefix + (path === '' ? key : `${path}.${key}`)
    const hint = allowed.length > 0 ? `${didYouMean(key, allowed)} (allowed: ${allowed.join(', ')})` : ''
    unknown.push({ field, rule: 'unknown', message: `unknown key '${key}'${hint}` })
  }
  return [...ajvErrorsToDetails(rest, { prefix }), ...unknown]
}
