import type { Config } from '../../config/index.js'
import { privateHostProblem, type UrlPolicy } from './ssrf.js'
import type { Backoff } from './types.js'

/** How this server delivers webhooks; derived from the configuration once per server. */
export interface WebhookSettings extends UrlPolicy {
  /** Lower-cased host names (`*.example.com` matches subdomains); empty = any public host. */
  allowedHosts: readonly string[]
  /** WEBHOOK_ALLOW_PRIVATE: without an allow-list, loopback/private/link-local targets are allowed too (development). */
  allowPrivate: boolean
  pollIntervalMs: number
  /** Retry delay base: `fixed` waits this long, `exponential` base × 2^(attempt − 1). */
  backoffBaseMs: number
  /** Delivery timeout of rows without a webhook behind them (state-machine actions). */
  defaultTimeoutMs: number
  /** A claimed row stays invisible to other claimers this long; a crash mid-delivery frees it then. */
  leaseMs: number
  /** A pending row its writer did not claim (crash right after COMMIT) becomes due after this. */
  recoveryGraceMs: number
  /** Rows claimed per app per scheduler tick. */
  batchSize: number
  /** Deliveries running at once in this process, all apps together; beyond it, rows wait for the scheduler. */
  maxInFlight: number
  /** Deliveries one app may run at once in this process (`WEBHOOK_MAX_IN_FLIGHT_PER_APP`, docs/security.md). */
  maxInFlightPerApp: number
}

/** Delivery timeout when a webhook sets none, and the largest it may set (ms). */
export const DEFAULT_TIMEOUT_MS = 5000
export const MAX_TIMEOUT_MS = 60_000

/** Attempts of a delivery when nothing says otherwise, and the most a webhook or action may ask for. */
export const DEFAULT_ATTEMPTS = 3
export const MAX_ATTEMPTS = 10

/** A valid attempt count (`retry.max_attempts`, a webhook action's `max_attempts`): an integer from 1 to MAX_ATTEMPTS. */
export function isAttemptCount (n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n >= 1 && n <= MAX_ATTEMPTS
}

type WebhookConfig = Pick<Config, 'webhookAllowedHosts' | 'webhookAllowPrivate' | 'webhookPollIntervalMs' | 'webhookBackoffBaseMs' | 'webhookMaxInFlightPerApp'>

/** Settings from the configuration (defaults when a key is missing: lib-level tests build engines without one). */
export function webhookSettings (config: Partial<WebhookConfig> = {}): WebhookSettings {
  return {
    allowedHosts: (config.webhookAllowedHosts ?? '').split(',').map((h) => h.trim().toLowerCase()).filter((h) => h !== ''),
    allowPrivate: config.webhookAllowPrivate ?? false,
    pollIntervalMs: config.webhookPollIntervalMs ?? 5000,
    backoffBaseMs: config.webhookBackoffBaseMs ?? 30_000,
    defaultTimeoutMs: DEFAULT_TIMEOUT_MS,
    leaseMs: 2 * MAX_TIMEOUT_MS,
    recoveryGraceMs: 10_000,
    batchSize: 20,
    maxInFlight: 100,
    maxInFlightPerApp: config.webhookMaxInFlightPerApp ?? 10
  }
}

/** Delay before the next attempt once `attempt` attempts failed (docs/reference.md, "Webhooks": 30 s × 2^attempt). */
export function backoffDelay (backoff: Backoff, attempt: number, baseMs: number): number {
  if (backoff === 'fixed') return baseMs
  return baseMs * 2 ** Math.max(0, Math.min(attempt - 1, 20))
}

function hostAllowed (host: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true
  const h = host.toLowerCase().replace(/^\[|\]$/g, '')
  return allowed.some((a) => a.startsWith('*.') ? h.endsWith(a.slice(1)) : h === a)
}

/**
 * Why a URL may not receive deliveries (only http(s), only allowed hosts, and without an
 * allow-list no loopback/private/link-local address unless the policy allows them), or null
 * when it may. Checked when a webhook is saved and again before every delivery (the policy may
 * have changed; state-machine actions are never saved through the webhook API); names are
 * resolved and checked when the delivery connects (`ssrf.ts`).
 */
export function urlProblem (url: string, policy: UrlPolicy): string | null {
  const { allowedHosts } = policy
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return 'url must be an absolute http(s) URL'
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return 'url must use http or https'
  if (parsed.username !== '' || parsed.password !== '') return 'url must not carry credentials (use headers)'
  if (!hostAllowed(parsed.hostname, allowedHosts)) return `host '${parsed.hostname}' is not in WEBHOOK_ALLOWED_HOSTS`
  return privateHostProblem(parsed.hostname, policy)
}
