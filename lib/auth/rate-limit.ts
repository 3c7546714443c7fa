/** Limits of the login limiter: attempts allowed per window, per client IP and per account. */
export interface LoginLimits {
  perIp: number
  perEmail: number
  windowSeconds: number
  /** Clock in ms (tests). */
  now?: () => number
  /** Keys kept before the oldest are dropped (bounds memory under a flood of distinct keys). */
  maxKeys?: number
}

interface Counter {
  count: number
  resetAt: number
}

/** Who is logging in: the client address and the account, scoped by user directory (app or platform). */
export interface LoginKey {
  ip: string
  scope: string
  email: string
}

/**
 * In-memory fixed-window limiter for login attempts, per IP and per email (SPEC §8). An
 * attempt is counted when it starts (so parallel guesses cannot slip past the limit); a
 * successful login clears the account's counter and takes its attempt back from the IP's, so
 * in effect failures count. Per process: with several processes each enforces its own limit.
 */
export class LoginLimiter {
  private readonly counters = new Map<string, Counter>()
  private readonly limits: Required<LoginLimits>

  constructor (limits: LoginLimits) {
    this.limits = { now: Date.now, maxKeys: 100_000, ...limits }
  }

  private keys (k: LoginKey): [string, string] {
    return [`ip\u0000${k.ip}`, `email\u0000${k.scope}\u0000${k.email.trim().toLowerCase()}`]
  }

  /** Seconds until `key` may try again (0 when it may try now). */
  private wait (key: string, max: number, now: number): number {
    const c = this.counters.get(key)
    if (c === undefined || c.resetAt <= now || c.count < max) return 0
    return Math.max(1, Math.ceil((c.resetAt - now) / 1000))
  }

  private bump (key: string, now: number): void {
    const c = this.counters.get(key)
    if (c === undefined || c.resetAt <= now) {
      // Re-inserted so the map stays in window-start order for pruning.
      this.counters.delete(key)
      this.counters.set(key, { count: 1, resetAt: now + this.limits.windowSeconds * 1000 })
      this.prune(now)
    } else {
      c.count++
    }
  }

  private prune (now: number): void {
    if (this.counters.size <= this.limits.maxKeys) return
    for (const [key, c] of this.counters) {
      if (this.counters.size <= this.limits.maxKeys * 0.9 && c.resetAt > now) break
      this.counters.delete(key)
    }
  }

  /**
   * Starts an attempt: returns the seconds to wait (Retry-After) when the IP or the account
   * is over its limit — nothing is counted then — else counts the attempt and returns 0.
   */
  attempt (k: LoginKey): number {
    const now = this.limits.now()
    const [ip, email] = this.keys(k)
    const wait = Math.max(this.wait(ip, this.limits.perIp, now), this.wait(email, this.limits.perEmail, now))
    if (wait > 0) return wait
    this.bump(ip, now)
    this.bump(email, now)
    return 0
  }

  /** A successful login: the account starts afresh and the IP gets its attempt back. */
  succeeded (k: LoginKey): void {
    const [ip, email] = this.keys(k)
    this.counters.delete(email)
    const c = this.counters.get(ip)
    if (c !== undefined && c.count > 0) c.count--
  }
}
