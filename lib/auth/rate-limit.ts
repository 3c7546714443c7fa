import type { RateLimiter } from '../limits/rate-limiter.js'

/** Limits of the login limiter: attempts allowed per window, per client IP and per account. */
export interface LoginLimits {
  perIp: number
  perEmail: number
  windowSeconds: number
}

/** Who is logging in: the client address (as the caller determined it) and the account, scoped by user directory (app or platform). */
export interface LoginKey {
  ip: string
  scope: string
  email: string
}

/**
 * Login attempts per IP and per (scope, lower-cased email), unknown emails included, counted in
 * the shared `RateLimiter` so the limit holds across all processes (docs/security.md). An
 * attempt is counted when it starts (parallel guesses cannot slip past the limit); a refused
 * one is taken back, so only attempts that ran count; a successful login clears the account's
 * counter and takes its attempt back from the IP's — in effect, failures count.
 */
export class LoginLimiter {
  private readonly store: RateLimiter
  private readonly limits: LoginLimits

  constructor (store: RateLimiter, limits: LoginLimits) {
    this.store = store
    this.limits = limits
  }

  private keys (k: LoginKey): [string, string] {
    // JSON keeps the parts apart whatever characters an email holds.
    return [JSON.stringify(['login_ip', k.ip]), JSON.stringify(['login_email', k.scope, k.email.trim().toLowerCase()])]
  }

  /** Starts an attempt: the seconds to wait (Retry-After) when the IP or the account is over its limit, else 0. */
  async attempt (k: LoginKey): Promise<number> {
    const [ip, email] = this.keys(k)
    const wait = await this.store.hit([{ key: ip, max: this.limits.perIp }, { key: email, max: this.limits.perEmail }], this.limits.windowSeconds)
    if (wait > 0) await this.store.giveBack([ip, email])
    return wait
  }

  /** A successful login: the account starts afresh and the IP gets its attempt back. */
  async succeeded (k: LoginKey): Promise<void> {
    const [ip, email] = this.keys(k)
    await this.store.reset([email])
    await this.store.giveBack([ip])
  }
}
