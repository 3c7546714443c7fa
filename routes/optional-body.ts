import type { FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'

/**
 * A `preValidation` hook for routes whose body is optional: no body at all (or JSON `null`) is
 * checked as `{}`, so the declared body schema decides (a missing required key is a 422 naming
 * it), not a 400 for a body that is not an object.
 */
export function noBodyAsEmpty (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  if (request.body === undefined || request.body === null) request.body = {}
  done()
}
