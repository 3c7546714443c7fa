import fp from 'fastify-plugin'
import sjson from 'secure-json-parse'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { ServerResponse } from 'node:http'
import { invalidPayload, validationFailed } from '../lib/errors.js'
import { BodyGate } from '../lib/limits/body-gate.js'
import { badTextDetails, mayHoldBadText } from '../lib/text-guard.js'

export const MAX_JSON_DEPTH = 64

/**
 * Nesting depth of a JSON text, found with one pass over its characters (brackets inside
 * strings do not count). Cheaper than parsing, so deep bombs are refused before JSON.parse.
 * A string is skipped in one jump to its closing quote (`indexOf`: most of a body is strings),
 * a quote preceded by an odd number of backslashes being escaped.
 */
export function jsonDepthExceeds (text: string, max: number): boolean {
  let depth = 0
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i)
    if (c === 34) {
      let end = text.indexOf('"', i + 1)
      while (end !== -1 && escapedAt(text, end)) end = text.indexOf('"', end + 1)
      // An unterminated string: nothing more to count (JSON.parse refuses the text).
      if (end === -1) return false
      i = end
    } else if (c === 123 || c === 91) {
      if (++depth > max) return true
    } else if (c === 125 || c === 93) {
      depth--
    }
  }
  return false
}

/** Whether the quote at `at` is escaped: preceded by an odd run of backslashes. */
function escapedAt (text: string, at: number): boolean {
  let n = 0
  while (at - n - 1 >= 0 && text.charCodeAt(at - n - 1) === 92) n++
  return n % 2 === 1
}

/** Where large JSON bodies wait for their turn (lib/limits/body-gate.ts). */
export interface JsonBodyOptions {
  /** Bodies of at least this many characters are admitted through a gate (`LARGE_BODY_BYTES`). */
  largeBodyBytes: number
  /** Large bodies parsed and handled at once per app (`LARGE_BODY_CONCURRENCY`). */
  largeBodyConcurrency: number
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The large-body gate of an app (null: requests outside any app), for tests and operations. */
    largeBodyGate: (app: string | null) => BodyGate
  }
}

/**
 * JSON body parser: rejects nesting deeper than 64 levels and prototype-poisoning keys
 * (`__proto__`, `constructor.prototype`) with INVALID_PAYLOAD, strings and keys holding U+0000
 * or a lone surrogate with VALIDATION_FAILED naming them, and accepts an empty body as "no body"
 * only where routes allow it. A large body (a bulk create, a batch, an import) is parsed only
 * once its app's gate admits it (docs/ARCHITECTURE.md, "Large bodies"): one gate per app, so one
 * tenant's bulk traffic never queues another's.
 */
async function jsonBody (fastify: FastifyInstance, opts: JsonBodyOptions): Promise<void> {
  const gates = new Map<string, BodyGate>()
  const gateOf = (app: string | null): BodyGate => {
    const key = app ?? ''
    let gate = gates.get(key)
    if (gate === undefined) {
      gate = new BodyGate(opts.largeBodyConcurrency)
      gates.set(key, gate)
    }
    return gate
  }
  fastify.decorate('largeBodyGate', gateOf)
  // The parser sees the request, not the reply: the response a gate place is tied to is kept here.
  const responses = new WeakMap<FastifyRequest, ServerResponse>()
  fastify.addHook('preParsing', (request, reply, payload, done) => {
    // A body of a large or (chunked) unknown length; requests without a body are left alone.
    const length = request.headers['content-length']
    if (length !== undefined ? Number(length) >= opts.largeBodyBytes : request.headers['transfer-encoding'] !== undefined) responses.set(request, reply.raw)
    done(null, payload)
  })

  fastify.removeContentTypeParser('application/json')
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string
    const res = text.length >= opts.largeBodyBytes ? responses.get(request) : undefined
    if (res === undefined) { parseInto(text, done); return }
    gateOf(request.appCtx?.name ?? null).admit(res, () => { parseInto(text, done) })
  })
}

type Done = (err: Error | null, body?: unknown) => void

function parseInto (text: string, done: Done): void {
  if (text.length === 0 || text.trim() === '') { done(null, undefined); return }
  if (jsonDepthExceeds(text, MAX_JSON_DEPTH)) { done(invalidPayload(`JSON nested deeper than ${MAX_JSON_DEPTH} levels`)); return }
  let parsed: unknown
  try {
    parsed = sjson.parse(text, null, { protoAction: 'error', constructorAction: 'error' })
  } catch {
    done(invalidPayload('Request body is not valid JSON'))
    return
  }
  // Every JSON route at once: no NUL or lone surrogate reaches PostgreSQL from a body (lib/text-guard.ts).
  const bad = mayHoldBadText(text) ? badTextDetails(parsed) : []
  if (bad.length > 0) done(validationFailed('Text values may not contain U+0000 (NUL) or unpaired surrogates', bad))
  else done(null, parsed)
}

export default fp(jsonBody, { name: 'json-body', fastify: '5.x' })
