/**
 * Read-your-writes behind read replicas (docs/ARCHITECTURE.md, "Read replicas"): every write
 * answer carries `X-Rocket-Commit-LSN`; reads send the newest one seen as `X-Rocket-Min-LSN`, so
 * the server answers them from a replica only once it has replayed that write.
 */

const LSN_RE = /^([0-9A-Fa-f]{1,8})\/([0-9A-Fa-f]{1,8})$/

function position (lsn: string): bigint | null {
  const m = LSN_RE.exec(lsn)
  return m === null ? null : (BigInt(`0x${m[1] as string}`) << 32n) | BigInt(`0x${m[2] as string}`)
}

/** The newest of two WAL positions (an unparsable one is ignored). */
export function newerLsn (current: string | null, seen: string | null): string | null {
  const s = seen === null ? null : position(seen.trim())
  if (s === null) return current
  const c = current === null ? null : position(current)
  return c === null || s > c ? (seen as string).trim() : current
}

/** Per app (the first path segment): apps may live on different servers, whose positions do not compare. */
const lastCommit = new Map<string, string>()

function scopeOf (path: string): string {
  return path.split('/')[1] ?? ''
}

/** Remembers the commit position of an answer to `path` (relative to `/api`), if it has one. */
export function rememberCommit (path: string, headers: Pick<Headers, 'get'>): void {
  const scope = scopeOf(path)
  const next = newerLsn(lastCommit.get(scope) ?? null, headers.get('x-rocket-commit-lsn'))
  if (next !== null) lastCommit.set(scope, next)
}

/** Headers a read of `path` sends: the newest commit position seen in its app, if any. */
export function minLsnHeaders (path: string): Record<string, string> {
  const lsn = lastCommit.get(scopeOf(path))
  return lsn === undefined ? {} : { 'x-rocket-min-lsn': lsn }
}
