import fp from 'fastify-plugin'
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { isDatabaseUnreachable, lostAppError } from '../lib/apps/availability.js'
import { translatePgError } from '../lib/db/pg-errors.js'
import type { ErrorObject } from 'ajv'
import { isApiError, type ApiError } from '../lib/errors.js'
import type { RouteSchema } from '../lib/openapi/types.js'
import { routeErrorDetails } from '../lib/schema/route-validation.js'

interface Envelope {
  error: { code: string, message: string, details?: unknown[] }
}

/** Fastify's own errors (parsing, limits, routing) mapped onto our codes; never a 500. */
function frameworkError (err: FastifyError): { status: number, code: string, message: string } | null {
  switch (err.code) {
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { status: 413, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' }
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { status: 400, code: 'INVALID_PAYLOAD', message: 'Unsupported Content-Type; send application/json' }
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { status: 400, code: 'INVALID_PAYLOAD', message: 'Request body is empty' }
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return { status: 400, code: 'INVALID_PAYLOAD', message: 'Request body is not valid JSON' }
    default:
      break
  }
  if (err instanceof SyntaxError) return { status: 400, code: 'INVALID_PAYLOAD', message: 'Request body is not valid JSON' }
  const status = err.statusCode ?? 500
  if (status === 401) return { status, code: 'UNAUTHORIZED', message: 'Authentication required' }
  if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: 'Request body is too large' }
  if (status === 429) return { status, code: 'RATE_LIMITED', message: 'Too many requests' }
  if (status >= 400 && status < 500) return { status, code: 'INVALID_PAYLOAD', message: 'Bad request' }
  return null
}

/**
 * A request that fails its route's declared schema: a body is 422 `VALIDATION_FAILED` with one
 * detail per field, like entity bodies; a query string or path parameter is 400 `INVALID_PAYLOAD`
 * naming the parameter (docs/reference.md, "Errors").
 */
function routeSchemaFailure (err: FastifyError, schema: RouteSchema | undefined): { status: number, code: string, message: string, details: unknown[] } | null {
  if (err.code !== 'FST_ERR_VALIDATION' || !Array.isArray(err.validation)) return null
  const errors = err.validation as unknown as ErrorObject[]
  if (err.validationContext === 'body') {
    // Not an object at all is a malformed request (400), not a field-level failure.
    if (errors.some((e) => e.instancePath === '' && e.keyword === 'type')) {
      return { status: 400, code: 'INVALID_PAYLOAD', message: 'Request body must be a JSON object', details: [] }
    }
    const details = routeErrorDetails(errors)
    // Credentials (login, refresh): a malformed one was always a 400.
    if (schema?.bodyFailureStatus === 400) return { status: 400, code: 'INVALID_PAYLOAD', message: `Request body is invalid: ${details[0]?.message ?? ''}`, details }
    return { status: 422, code: 'VALIDATION_FAILED', message: 'Request body is invalid', details }
  }
  const part = err.validationContext === 'params' ? 'Path parameter' : err.validationContext === 'headers' ? 'Header' : 'Query parameter'
  const details = routeErrorDetails(errors)
  const first = details[0]
  const message = first !== undefined ? `${part} '${first.field}': ${first.message}` : `${part} is invalid`
  return { status: 400, code: 'INVALID_PAYLOAD', message, details }
}

function render (reply: FastifyReply, status: number, code: string, message: string, details?: unknown[]): FastifyReply {
  const body: Envelope = { error: { code, message } }
  if (details !== undefined && details.length > 0) body.error.details = details
  return reply.code(status).type('application/json; charset=utf-8').send(body)
}

/**
 * Renders every error in the standard envelope (docs/reference.md, "Envelopes and errors"). Deliberate API errors pass through;
 * PostgreSQL constraint errors become 4xx; anything else is a logged 500 whose body says
 * nothing about the stack, SQL or files.
 */
async function errorHandler (fastify: FastifyInstance): Promise<void> {
  fastify.setErrorHandler((err: FastifyError | ApiError, request: FastifyRequest, reply: FastifyReply) => {
    if (isApiError(err)) return render(reply, err.statusCode, err.code, err.message, err.details)
    // An app deleted (or whose database vanished) while this request ran: 404 or 503, never a 500.
    const app = request.appCtx
    if (app !== null && app !== undefined && isDatabaseUnreachable(err)) {
      return lostAppError(fastify.platform.apps, app.name).then((lost) => render(reply, lost.statusCode, lost.code, lost.message))
    }
    const pg = translatePgError(err)
    if (pg !== null) return render(reply, pg.statusCode, pg.code, pg.message, pg.details)
    const schemaFailure = routeSchemaFailure(err as FastifyError, request.routeOptions.schema as RouteSchema | undefined)
    if (schemaFailure !== null) return render(reply, schemaFailure.status, schemaFailure.code, schemaFailure.message, schemaFailure.details)
    const fw = frameworkError(err as FastifyError)
    if (fw !== null) {
      request.log.info({ err: { code: (err as FastifyError).code, message: err.message } }, 'request rejected')
      return render(reply, fw.status, fw.code, fw.message)
    }
    request.log.error({ err }, 'unhandled error')
    return render(reply, 500, 'INTERNAL_ERROR', `Internal server error (request ${String(request.id)})`)
  })

  fastify.setNotFoundHandler((request, reply) => {
    return render(reply, 404, 'NOT_FOUND', `Route ${request.method} ${request.url.split('?')[0] ?? ''} not found`)
  })
}

export default fp(errorHandler, { name: 'error-handler', fastify: '5.x' })
