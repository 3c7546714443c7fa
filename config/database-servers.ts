import { Ajv } from 'ajv'
import { NAME_PATTERN } from '../lib/metadata/name-pattern.js'

/** A PostgreSQL server app databases may be placed on (docs/ARCHITECTURE.md, "Database servers"). */
export interface ServerSpec {
  name: string
  /** The platform role's URL on that server (any database name: it is swapped). Null only for `default`, whose URL is DATABASE_URL. */
  url: string | null
  /** Streaming replicas of that server, as URLs of the same role. */
  replicas: string[]
}

/** The management database's server: always known, never stored. */
export const DEFAULT_SERVER = 'default'

/** Server names follow the one name pattern (docs/reference.md, "Database servers and read replicas"). */
export const SERVER_NAME_PATTERN = NAME_PATTERN
export const POSTGRES_URL_PATTERN = '^postgres(ql)?://'
/** Replicas one server may have: each costs every process a probe connection and pools. */
export const MAX_REPLICAS = 16

const schema = {
  type: 'array',
  maxItems: 100,
  items: {
    type: 'object',
    additionalProperties: false,
    required: ['name'],
    properties: {
      name: { type: 'string', pattern: SERVER_NAME_PATTERN },
      url: { type: 'string', pattern: POSTGRES_URL_PATTERN, maxLength: 2048 },
      replicas: { type: 'array', maxItems: MAX_REPLICAS, items: { type: 'string', pattern: POSTGRES_URL_PATTERN, maxLength: 2048 } }
    }
  }
}

const validate = new Ajv({ allErrors: false }).compile(schema)

/**
 * `DATABASE_SERVERS`: a JSON array `[{"name", "url", "replicas": [url]}]`. The entry named
 * `default` (the management server) takes replicas only. Returns an error text naming the
 * problem (never the URLs, which carry passwords) or the parsed list.
 */
export function parseDatabaseServers (raw: string): ServerSpec[] | { problem: string } {
  if (raw.trim() === '') return []
  let value: unknown
  try { value = JSON.parse(raw) } catch { return { problem: 'must be a JSON array of {name, url, replicas}' } }
  if (!validate(value)) {
    const err = validate.errors?.[0]
    return { problem: `${err?.instancePath ?? ''} ${err?.message ?? 'is invalid'}`.trim() }
  }
  const specs = value as Array<{ name: string, url?: string, replicas?: string[] }>
  const seen = new Set<string>()
  const out: ServerSpec[] = []
  for (const s of specs) {
    if (seen.has(s.name)) return { problem: `names server ${s.name} twice` }
    seen.add(s.name)
    if (s.name === DEFAULT_SERVER && s.url !== undefined) return { problem: 'server default is the one of DATABASE_URL: give it replicas only' }
    if (s.name !== DEFAULT_SERVER && s.url === undefined) return { problem: `server ${s.name} needs a url` }
    const bad = [s.url, ...(s.replicas ?? [])].find((u) => u !== undefined && !parsableUrl(u))
    if (bad !== undefined) return { problem: `server ${s.name} has a URL that does not parse` }
    out.push({ name: s.name, url: s.url ?? null, replicas: s.replicas ?? [] })
  }
  return out
}

function parsableUrl (url: string): boolean {
  try { return new URL(url).hostname !== '' } catch { return false }
}
