import type { Sql } from '../db/connection.js'

/** One counter to bump: its key and the most hits its window allows. */
export interface RateKey {
  key: string
  max: number
}

/** Keys travel as one JSON text: no array type to fetch first, and any characters allowed. */
function textList (keys: readonly string[]): string {
  return JSON.stringify(keys)
}

/** How often, at most, expired counters are deleted (by whichever process notices first). */
const PURGE_EVERY_MS = 60_000

/**
 * Fixed-window rate limits kept in the management database (`_rate_limits`, UNLOGGED), so
 * that every process counts against the same numbers (docs/security.md, "Fairness, limits and
 * quotas"): one `INSERT … ON CONFLICT DO UPDATE` per check bumps the counters atomically, so
 * the (max+1)-th hit in a window is refused whichever process receives it. Callers build the
 * keys (an IP is used as given: which address is the client's is the caller's decision).
 */
export class RateLimiter {
  private readonly sql: Sql
  private lastPurge = 0

  constructor (sql: Sql) {
    this.sql = sql
  }

  /**
   * Counts one hit on every key (windows of `windowSeconds`, starting at each key's first hit).
   * Returns the seconds to wait (for Retry-After) when any key went over its max, else 0.
   */
  async hit (keys: readonly RateKey[], windowSeconds: number): Promise<number> {
    this.purgeNowAndThen()
    const rows = await this.sql<Array<{ key: string, count: number, wait: number }>>`
      INSERT INTO _rate_limits AS r (key, count, window_end)
      SELECT k, 1, now() + ${windowSeconds} * interval '1 second' FROM jsonb_array_elements_text(${textList(keys.map((k) => k.key))}::text::jsonb) AS k
      ON CONFLICT (key) DO UPDATE SET
        count = CASE WHEN r.window_end <= now() THEN 1 ELSE r.count + 1 END,
        window_end = CASE WHEN r.window_end <= now() THEN EXCLUDED.window_end ELSE r.window_end END
      RETURNING key, count, greatest(1, ceil(extract(epoch FROM r.window_end - now())))::int AS wait`
    let wait = 0
    for (const row of rows) {
      const max = keys.find((k) => k.key === row.key)?.max ?? Infinity
      if (row.count > max) wait = Math.max(wait, row.wait)
    }
    return wait
  }

  /** Takes one hit back from each key (a refused attempt that should not count, a success that earns it back). */
  async giveBack (keys: readonly string[]): Promise<void> {
    await this.sql`UPDATE _rate_limits SET count = greatest(count - 1, 0) WHERE key IN (SELECT jsonb_array_elements_text(${textList(keys)}::text::jsonb))`
  }

  /** Starts the keys afresh. */
  async reset (keys: readonly string[]): Promise<void> {
    await this.sql`DELETE FROM _rate_limits WHERE key IN (SELECT jsonb_array_elements_text(${textList(keys)}::text::jsonb))`
  }

  private purgeNowAndThen (): void {
    const now = Date.now()
    if (now - this.lastPurge < PURGE_EVERY_MS) return
    this.lastPurge = now
    // Best effort: a failed purge only leaves expired rows for the next one.
    this.sql`DELETE FROM _rate_limits WHERE window_end < now() - interval '1 minute'`.catch(() => {})
  }
}
