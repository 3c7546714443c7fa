import type { FastifyRequest } from 'fastify'
import { redactOidcCallback } from '../oidc/redact.js'

const TOKEN_PARAM_RE = /([?&]access_token=)[^&#]*/gi

/** A URL with the value of every `access_token` query parameter replaced (the realtime route takes tokens there). */
export function redactAccessToken (url: string): string {
  return url.replace(TOKEN_PARAM_RE, '$1[REDACTED]')
}

/**
 * Fastify's request log serializer with the URL redacted: `GET /api/:app/_realtime` accepts
 * `?access_token=` (EventSource sends no headers), which must never reach a log
 * (docs/reference.md "Realtime"). Same fields as Fastify's default otherwise.
 */
export function requestLogSerializer (req: FastifyRequest): Record<string, unknown> {
  return {
    method: req.method,
    url: redactOidcCallback(redactAccessToken(req.url)),
    version: req.headers['accept-version'],
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort
  }
}
