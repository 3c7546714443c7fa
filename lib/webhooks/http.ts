import { createHmac } from 'node:crypto'
import { fetch, type Response } from 'undici'
import { urlProblem } from './settings.js'
import { BlockedAddressError, dispatcherFor, type UrlPolicy } from './ssrf.js'
import { HeaderTemplateError, resolveHeaders } from './header-templates.js'

export { HeaderTemplateError, resolveHeaders }

/** Response bodies kept in the log are cut at this many bytes. */
export const MAX_RESPONSE_BYTES = 2048

/** One HTTP call to a webhook receiver. */
export interface OutgoingRequest {
  url: string
  method: string
  /** Header values may hold `{{env.NAME}}` templates; resolved here, never stored or logged. */
  headers: Readonly<Record<string, string>>
  /** The JSON body (not sent for GET). */
  body: unknown
  /** Signs the body (`X-Rocket-Signature: sha256=<hex>`) when set. */
  secret: string | null
  timeoutMs: number
  /** Where deliveries may go; names are resolved and checked when connecting. */
  policy: UrlPolicy
}

/** How a call ended: `ok` only for a 2xx answer. `error` never contains a resolved header value. */
export interface DeliveryResult {
  ok: boolean
  status: number | null
  body: string | null
  error: string | null
}

/** `sha256=<hex HMAC-SHA256 of the exact body bytes>`, the `X-Rocket-Signature` value. */
export function signature (body: string, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`
}

/** Reads at most `MAX_RESPONSE_BYTES` of a response body, then stops the transfer. */
async function readTruncated (res: Response): Promise<string> {
  if (res.body === null) return ''
  const reader = res.body.getReader()
  const chunks: Uint8Array[] = []
  let size = 0
  try {
    while (size < MAX_RESPONSE_BYTES) {
      const { done, value } = await reader.read()
      if (done) break
      chunks.push(value)
      size += value.byteLength
    }
  } finally {
    await reader.cancel().catch(() => {})
  }
  return Buffer.concat(chunks).subarray(0, MAX_RESPONSE_BYTES).toString('utf8')
}

function describe (err: unknown, timeoutMs: number): string {
  if (err instanceof HeaderTemplateError) return err.message
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `timed out after ${timeoutMs} ms`
  // Only codes and names: a message could quote a resolved header value.
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined
  if (cause instanceof BlockedAddressError) return `refused: ${cause.message} (set WEBHOOK_ALLOW_PRIVATE=true for development)`
  if (typeof cause?.code === 'string') return `request failed: ${cause.code}`
  return `request failed: ${err instanceof Error ? err.name : 'unknown error'}`
}

/**
 * Sends one webhook request with Node's fetch: header templates resolved, the body signed when
 * there is a secret, redirects not followed (a 3xx is a failure: the allow-list could be
 * sidestepped otherwise), the whole exchange bounded by `timeoutMs`. Never throws.
 */
export async function sendWebhook (req: OutgoingRequest): Promise<DeliveryResult> {
  const refused = urlProblem(req.url, req.policy)
  if (refused !== null) return { ok: false, status: null, body: null, error: refused }
  try {
    const text = req.method === 'GET' ? '' : JSON.stringify(req.body ?? null)
    const headers: Record<string, string> = { 'user-agent': 'Rocket-Webhooks/1', ...resolveHeaders(req.headers) }
    if (req.method !== 'GET') headers['content-type'] = 'application/json'
    if (req.secret !== null) headers['x-rocket-signature'] = signature(text, req.secret)
    const res = await fetch(req.url, {
      method: req.method,
      headers,
      ...(req.method === 'GET' ? {} : { body: text }),
      redirect: 'manual',
      signal: AbortSignal.timeout(req.timeoutMs),
      dispatcher: dispatcherFor(req.policy) ?? undefined
    })
    const body = await readTruncated(res)
    const ok = res.status >= 200 && res.status < 300
    return { ok, status: res.status, body, error: ok ? null : `answered ${res.status}` }
  } catch (err) {
    return { ok: false, status: null, body: null, error: describe(err, req.timeoutMs) }
  }
}
