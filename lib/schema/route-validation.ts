import { Ajv, type AnySchema, type ErrorObject, type ValidateFunction } from 'ajv'
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

/** Names the elements of arrays in failure paths (`fields.3.type` → `fields.title.type`); see `nameDetailPaths`. */
export type PathNamer = (instancePath: string, body: unknown) => string

const namers = new WeakMap<object, PathNamer>()

/**
 * Lets failures of `schema` name array elements the way the module's own checks do (an entity's
 * fields by their name): the instance paths of Ajv's errors pass through `namer`, for the route
 * and for `shapeProblems` alike.
 */
export function nameDetailPaths<T extends object> (schema: T, namer: PathNamer): T {
  namers.set(schema, namer)
  return schema
}

/** The usual `PathNamer`: array elements by index, as hand-written checks write them (`conditions[1].operator`). */
export const indexedPaths: PathNamer = (instancePath) => instancePath.replace(/\/(\d+)(?=\/|$)/g, '[$1]')

/** A body validator: Ajv's, with its error paths renamed when the schema has a `PathNamer`. */
export function compileBodyValidator (schema: AnySchema): ValidateFunction {
  const validate = ajv.compile(schema)
  const namer = typeof schema === 'object' ? namers.get(schema) : undefined
  if (namer === undefined) return validate
  const named = ((data: unknown): boolean => {
    const ok = validate(data) as boolean
    named.errors = ok ? null : (validate.errors ?? []).map((e) => ({ ...e, instancePath: namer(e.instancePath, data) }))
    return ok
  }) as ValidateFunction
  named.schema = validate.schema
  return named
}

export function compileRouteValidator (schema: AnySchema, httpPart: string | undefined): ValidateFunction {
  return httpPart === 'body' ? compileBodyValidator(schema) : urlAjv.compile(schema)
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
