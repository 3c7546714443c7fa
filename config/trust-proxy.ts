import { isIP } from 'node:net'

/**
 * Which peers may set the client address through `X-Forwarded-For` (docs/security.md,
 * "Proxies"): nobody (false, the default: the client could pick any address and dodge the
 * per-IP login limit), every peer (true: only behind a proxy that overwrites the header), the
 * number of proxy hops in front of the server, or the proxies' addresses / CIDR ranges (and
 * proxy-addr's names `loopback`, `linklocal`, `uniquelocal`). Handed to Fastify's `trustProxy`.
 */
export type TrustProxy = boolean | number | string[]

const NAMED_RANGES = new Set(['loopback', 'linklocal', 'uniquelocal'])
const MAX_HOPS = 100

function validRange (entry: string): boolean {
  if (NAMED_RANGES.has(entry)) return true
  const slash = entry.indexOf('/')
  const address = slash === -1 ? entry : entry.slice(0, slash)
  const family = isIP(address)
  if (family === 0) return false
  if (slash === -1) return true
  const prefix = entry.slice(slash + 1)
  return /^\d{1,3}$/.test(prefix) && Number(prefix) <= (family === 4 ? 32 : 128)
}

/** Parses `TRUST_PROXY`; a string is the problem (for the configuration error naming the key). */
export function parseTrustProxy (raw: string): TrustProxy | { problem: string } {
  const value = raw.trim()
  const lower = value.toLowerCase()
  if (lower === '' || lower === 'false') return false
  if (lower === 'true') return true
  if (/^\d{1,3}$/.test(value)) {
    const hops = Number(value)
    return hops <= MAX_HOPS ? hops : { problem: `must be a hop count of at most ${MAX_HOPS}` }
  }
  const entries = value.split(',').map((e) => e.trim())
  const bad = entries.find((e) => !validRange(e))
  if (bad !== undefined) return { problem: `must be true, false, a hop count or a comma-separated list of IP addresses / CIDR ranges ('${bad.slice(0, 60)}' is none)` }
  return entries
}

/** Fastify's `trustProxy` option (its types lack the hop count its runtime accepts: a function instead). */
export function fastifyTrustProxy (trust: TrustProxy): boolean | string[] | ((address: string, hop: number) => boolean) {
  return typeof trust === 'number' ? (_address, hop) => hop < trust : trust
}
