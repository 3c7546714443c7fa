import SerializerSelector from '@fastify/fast-json-stringify-compiler'
import type { AnySchema, ValidateFunction } from 'ajv'
import type { FastifySchemaCompiler, FastifySerializerCompiler } from 'fastify'
import { compileRouteValidator } from './route-validation.js'

/**
 * When a server compiles the schemas its routes declare (docs/ARCHITECTURE.md, "Route schemas").
 * `at-startup` (the default, `npm start`): every validator and serializer while the server gets
 * ready, as Fastify does, so a schema Ajv or fast-json-stringify refuses stops the boot.
 * `on-first-use` (the test helper): each one the first time a request needs it, once; a test
 * process exercises a few of the ~80 routes, and compiling all of them cost each test file about
 * a second of CPU. The two give the same validators and serializers.
 */
export type SchemaCompilation = 'at-startup' | 'on-first-use'

/** A validator that compiles on its first call; Fastify reads `errors` after a failed call. */
function lazyValidator (compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined
  const validate = ((data: unknown) => (compiled ??= compile())(data)) as ValidateFunction
  Object.defineProperty(validate, 'errors', { get: () => compiled?.errors ?? null })
  return validate
}

export function routeValidatorCompiler (when: SchemaCompilation): FastifySchemaCompiler<AnySchema> {
  return when === 'at-startup'
    ? ({ schema, httpPart }) => compileRouteValidator(schema, httpPart)
    : ({ schema, httpPart }) => lazyValidator(() => compileRouteValidator(schema, httpPart))
}

/**
 * Fastify's own response serializer compiler (fast-json-stringify through
 * `@fastify/fast-json-stringify-compiler`, no shared schemas: routes declare theirs whole),
 * compiling each serializer on its first use; undefined at startup, where Fastify's default stays.
 */
export function routeSerializerCompiler (when: SchemaCompilation): FastifySerializerCompiler<unknown> | undefined {
  if (when === 'at-startup') return undefined
  const compile = SerializerSelector()({}, {})
  return ({ schema, method, url, httpStatus }) => {
    let serialize: ((data: unknown) => string) | undefined
    return (data: unknown) => (serialize ??= compile({ schema, method, url, httpStatus: httpStatus ?? '' }))(data)
  }
}
