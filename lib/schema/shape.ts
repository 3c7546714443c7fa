import type { AnySchema, ValidateFunction } from 'ajv'
import type { ErrorDetail } from '../errors.js'
import { compileBodyValidator, routeErrorDetails } from './route-validation.js'

const compiled = new WeakMap<object, ValidateFunction>()

/**
 * Checks `body` against a module's body schema (the same object its route declares, so the
 * admin API, import and OpenAPI agree) and returns one detail per problem; empty when it fits.
 * Services call it because metadata also arrives without a route (import, seeds).
 */
export function shapeProblems (schema: AnySchema & object, body: unknown): ErrorDetail[] {
  let validate = compiled.get(schema)
  if (validate === undefined) {
    validate = compileBodyValidator(schema)
    compiled.set(schema, validate)
  }
  return validate(body) ? [] : routeErrorDetails(validate.errors ?? [])
}
