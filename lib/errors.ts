import createError from '@fastify/error'

/** One entry of an error's `details` list (docs/reference.md, "Envelopes and errors"). */
export interface ErrorDetail {
  field?: string
  rule?: string
  message: string
  relation?: string
  index?: number
  position?: number
}

/** Every error the engine raises on purpose: an HTTP status, a stable code and optional details. */
export interface ApiError extends Error {
  code: string
  statusCode: number
  details?: ErrorDetail[]
}

type ErrorFactory = (message: string, details?: ErrorDetail[]) => ApiError

function define (code: string, statusCode: number): ErrorFactory {
  const Ctor = createError(code, '%s', statusCode)
  return (message, details) => {
    const err = new Ctor(message) as ApiError
    if (details !== undefined && details.length > 0) err.details = details
    return err
  }
}

export const appNotFound = define('APP_NOT_FOUND', 404)
export const unknownEntity = define('UNKNOWN_ENTITY', 404)
export const notFound = define('NOT_FOUND', 404)
export const unknownField = define('UNKNOWN_FIELD', 400)
export const invalidPayload = define('INVALID_PAYLOAD', 400)
export const validationFailed = define('VALIDATION_FAILED', 422)
export const conflict = define('CONFLICT', 409)
export const unauthorized = define('UNAUTHORIZED', 401)
export const forbidden = define('FORBIDDEN', 403)
export const payloadTooLarge = define('PAYLOAD_TOO_LARGE', 413)
export const rateLimited = define('RATE_LIMITED', 429)
export const preconditionFailed = define('PRECONDITION_FAILED', 412)
export const internalError = define('INTERNAL_ERROR', 500)
/** An app whose database is missing or unreachable (docs/ARCHITECTURE.md, "Across processes"). */
export const serviceUnavailable = define('SERVICE_UNAVAILABLE', 503)

const API_CODES = new Set([
  'APP_NOT_FOUND', 'UNKNOWN_ENTITY', 'NOT_FOUND', 'UNKNOWN_FIELD', 'INVALID_PAYLOAD',
  'VALIDATION_FAILED', 'CONFLICT', 'UNAUTHORIZED', 'FORBIDDEN', 'PAYLOAD_TOO_LARGE',
  'RATE_LIMITED', 'INTERNAL_ERROR', 'PRECONDITION_FAILED', 'SERVICE_UNAVAILABLE'
])

/** True for errors created by the factories above (as opposed to framework or driver errors). */
export function isApiError (err: unknown): err is ApiError {
  return err instanceof Error && typeof (err as ApiError).code === 'string' &&
    API_CODES.has((err as ApiError).code) && typeof (err as ApiError).statusCode === 'number'
}

/** Shorthand for a single VALIDATION_FAILED detail. */
export function fieldInvalid (field: string, rule: string, message: string): ApiError {
  return validationFailed('Validation failed', [{ field, rule, message }])
}

/** Levenshtein-based "did you mean" hint for unknown names. */
export function didYouMean (name: string, candidates: Iterable<string>): string {
  let best: string | null = null
  let bestDistance = Infinity
  for (const c of candidates) {
    const d = distance(name, c)
    if (d < bestDistance) { bestDistance = d; best = c }
  }
  return best !== null && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? ` (did you mean '${best}'?)` : ''
}

/**
 * One detail per key of `obj` outside `allowed` (and outside `ignored`: read-only keys a client
 * may send back unchanged), with a "did you mean" hint: a typo such as `requried` must never be
 * stored and silently ignored (docs/reference.md, Metadata).
 */
export function unknownKeyDetails (at: string, obj: Record<string, unknown>, allowed: readonly string[], ignored: readonly string[] = []): ErrorDetail[] {
  const out: ErrorDetail[] = []
  for (const key of Object.keys(obj)) {
    if (allowed.includes(key) || ignored.includes(key)) continue
    const shown = key.slice(0, 100)
    out.push({ field: at === '' ? shown : `${at}.${shown}`, rule: 'unknown', message: `unknown key '${shown}'${didYouMean(shown, allowed)} (allowed: ${allowed.join(', ')})` })
  }
  return out
}

function distance (a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i)
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0] as number
    prev[0] = i
    for (let j = 1; j <= b.length; j++) {
      const tmp = prev[j] as number
      prev[j] = Math.min(tmp + 1, (prev[j - 1] as number) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1))
      diag = tmp
    }
  }
  return prev[b.length] as number
}
