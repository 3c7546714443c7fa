import { Ajv } from 'ajv'
import { parseDatabaseServers, type ServerSpec } from './database-servers.js'
import { parseTrustProxy, type TrustProxy } from './trust-proxy.js'

/** Runtime configuration. Defaults live here; every key can be overridden by an environment variable. */
export interface Config {
  port: number
  host: string
  /** External PostgreSQL (management database URL). Unset: an embedded PostgreSQL is started. */
  databaseUrl: string | null
  /** Where the embedded PostgreSQL keeps its data. */
  dataDir: string
  embeddedPgPort: number
  /** Secret for platform tokens; generated and persisted in the management database when unset. */
  platformJwtSecret: string | null
  /** Default secret for app tokens when an app has none of its own (normally every app gets its own). */
  jwtSecret: string | null
  poolSize: number
  appPoolSize: number
  /** Seconds an idle app connection stays open; idle apps hold no connections. */
  appPoolIdleTimeout: number
  storagePath: string
  maxFileSize: number
  bodyLimit: number
  /** JSON bodies of at least this many characters wait for a place before they are parsed (docs/ARCHITECTURE.md, "Large bodies"). */
  largeBodyBytes: number
  /** Large JSON bodies parsed and handled at once per app; the others wait, unparsed. */
  largeBodyConcurrency: number
  logLevel: string
  /** One info log line per answered request (off: only errors and events of the server itself). */
  logRequests: boolean
  corsOrigin: string
  accessTokenTtl: number
  refreshTokenTtl: number
  /** Login attempts per client IP per window (counted while failing; 429 beyond). */
  loginMaxPerIp: number
  /** Login attempts per account (email) per window. */
  loginMaxPerEmail: number
  /** Login rate-limit window in seconds. */
  loginWindow: number
  /** Who may set the client IP through X-Forwarded-For (`TRUST_PROXY`; default nobody). */
  trustProxy: TrustProxy
  /** Hosts webhooks may be delivered to (comma list; `*.example.com` matches subdomains); empty = any. */
  webhookAllowedHosts: string
  /** Without an allow-list, also deliver webhooks to loopback, private and link-local addresses (development only). */
  webhookAllowPrivate: boolean
  /** How often the webhook scheduler looks for due deliveries (retries, crash recovery), in ms. */
  webhookPollIntervalMs: number
  /** Base delay of webhook retries in ms (docs/reference.md, "Webhooks": 30 s, doubled per attempt). */
  webhookBackoffBaseMs: number
  /** Webhook deliveries one app may have under way at once in a process (docs/security.md). */
  webhookMaxInFlightPerApp: number
  /** `POST /_events` calls per user per minute, across all processes (429 beyond). */
  eventsMaxPerMinute: number
  /** `POST /_files/upload` calls per user per minute, across all processes (429 beyond). */
  uploadsMaxPerMinute: number
  /** Bytes of uploaded files one app may keep (413 beyond); 0 = no quota. */
  appStorageQuota: number
  /** How often the workflow scheduler looks for approval timeouts, due waits and interrupted instances, in ms. */
  workflowPollIntervalMs: number
  /** Records trace spans (HTTP, auth, query, write…) of sampled requests in `_events`; business events are recorded either way. */
  eventsEnabled: boolean
  /** Share of requests whose spans are recorded (0..1; 0 records none; a W3C traceparent sampled flag can force a few more). */
  eventsSamplingRate: number
  /** `_events` rows older than this many days are deleted by the retention job. */
  eventsRetentionDays: number
  /** How often buffered events are written to `_events` (also at 500 buffered events), in ms. */
  eventsFlushIntervalMs: number
  /** Seconds a realtime change is kept for clients resuming with Last-Event-ID (older: `event: reset`). */
  realtimeRetention: number
  /** Interval of the SSE heartbeat comment, in ms. */
  realtimeHeartbeatMs: number
  /** Events a realtime subscriber may have waiting before it gets `event: overflow` and is closed. */
  realtimeMaxBuffered: number
  /** How often realtime feeds look for changes no NOTIFY announced (crashed writer, settling gap), in ms. */
  realtimePollIntervalMs: number
  /** How often expired realtime changes are pruned, in ms. */
  realtimePruneIntervalMs: number
  /** How long a realtime feed gathers commits before reading them, in ms (0: at once). */
  realtimeBatchMs: number
  /** Socket writes per second all realtime streams of this process may take; the batch window grows past it. */
  realtimeWritesPerSecond: number
  /** Seconds a SIGTERM/SIGINT drain may take before the process exits anyway (with code 1). */
  shutdownTimeout: number
  /** `DATABASE_SERVERS`: servers app databases may be placed on, and replicas (docs/ARCHITECTURE.md, "Database servers"). */
  databaseServers: ServerSpec[]
  /** Reads go to a replica only while its replay lag is under this many ms. */
  replicaMaxLagMs: number
  /** How often each process probes every replica's health and replay position, in ms. */
  replicaProbeIntervalMs: number
  /** Server processes sharing the port (node:cluster); 1 = no cluster (docs/ARCHITECTURE.md, "Across processes"). */
  workers: number
  /** SMTP server for password-reset and verification mails (`smtp://user:pass@host:587`); unset: mails are written to the log. */
  smtpUrl: string | null
  /** Sender of those mails. */
  mailFrom: string
  /** The server's public URL: the default `app_url` of reset/verification links (never taken from the request's Host header). */
  publicUrl: string | null
  /** Reset / verification mails asked for per address per `MAIL_WINDOW` (429 beyond, known or unknown address alike). */
  mailMaxPerEmail: number
  /** Reset / verification mails asked for per client IP per `MAIL_WINDOW`. */
  mailMaxPerIp: number
  /** Window of the two limits above, in seconds. */
  mailWindow: number
  /** How often API keys' `last_used_at` is written (batched), in ms. */
  apiKeyUsageFlushMs: number
}

/** Each entry: env var name, config key, JSON Schema for the value, default. */
const ENTRIES = [
  ['PORT', 'port', { type: 'integer', minimum: 0, maximum: 65535 }, 8080],
  ['HOST', 'host', { type: 'string', minLength: 1 }, '0.0.0.0'],
  ['DATABASE_URL', 'databaseUrl', { type: ['string', 'null'], pattern: '^postgres(ql)?://' }, null],
  ['DATA_DIR', 'dataDir', { type: 'string', minLength: 1 }, './data'],
  ['EMBEDDED_PG_PORT', 'embeddedPgPort', { type: 'integer', minimum: 1, maximum: 65535 }, 54329],
  ['PLATFORM_JWT_SECRET', 'platformJwtSecret', { type: ['string', 'null'], minLength: 32 }, null],
  ['JWT_SECRET', 'jwtSecret', { type: ['string', 'null'], minLength: 32 }, null],
  ['POOL_SIZE', 'poolSize', { type: 'integer', minimum: 1, maximum: 1000 }, 10],
  ['APP_POOL_SIZE', 'appPoolSize', { type: 'integer', minimum: 1, maximum: 1000 }, 10],
  ['APP_POOL_IDLE_TIMEOUT', 'appPoolIdleTimeout', { type: 'integer', minimum: 1 }, 60],
  ['STORAGE_PATH', 'storagePath', { type: 'string', minLength: 1 }, './uploads'],
  ['MAX_FILE_SIZE', 'maxFileSize', { type: 'integer', minimum: 1 }, 10 * 1024 * 1024],
  ['BODY_LIMIT', 'bodyLimit', { type: 'integer', minimum: 1024 }, 1024 * 1024],
  ['LARGE_BODY_BYTES', 'largeBodyBytes', { type: 'integer', minimum: 1 }, 8192],
  ['LARGE_BODY_CONCURRENCY', 'largeBodyConcurrency', { type: 'integer', minimum: 1, maximum: 1000 }, 10],
  ['LOG_LEVEL', 'logLevel', { enum: ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] }, 'info'],
  ['LOG_REQUESTS', 'logRequests', { type: 'boolean' }, false],
  ['CORS_ORIGIN', 'corsOrigin', { type: 'string' }, '*'],
  ['ACCESS_TOKEN_TTL', 'accessTokenTtl', { type: 'integer', minimum: 1 }, 15 * 60],
  ['REFRESH_TOKEN_TTL', 'refreshTokenTtl', { type: 'integer', minimum: 1 }, 7 * 24 * 3600],
  ['LOGIN_MAX_PER_IP', 'loginMaxPerIp', { type: 'integer', minimum: 1 }, 50],
  ['LOGIN_MAX_PER_EMAIL', 'loginMaxPerEmail', { type: 'integer', minimum: 1 }, 10],
  ['LOGIN_WINDOW', 'loginWindow', { type: 'integer', minimum: 1 }, 15 * 60],
  ['TRUST_PROXY', 'trustProxy', { type: 'string', maxLength: 4096 }, 'false'],
  ['WEBHOOK_ALLOWED_HOSTS', 'webhookAllowedHosts', { type: 'string' }, ''],
  ['WEBHOOK_ALLOW_PRIVATE', 'webhookAllowPrivate', { type: 'boolean' }, false],
  ['WEBHOOK_POLL_INTERVAL_MS', 'webhookPollIntervalMs', { type: 'integer', minimum: 10 }, 5000],
  ['WEBHOOK_BACKOFF_BASE_MS', 'webhookBackoffBaseMs', { type: 'integer', minimum: 1 }, 30000],
  ['WEBHOOK_MAX_IN_FLIGHT_PER_APP', 'webhookMaxInFlightPerApp', { type: 'integer', minimum: 1, maximum: 1000 }, 10],
  ['EVENTS_MAX_PER_MINUTE', 'eventsMaxPerMinute', { type: 'integer', minimum: 1 }, 120],
  ['UPLOADS_MAX_PER_MINUTE', 'uploadsMaxPerMinute', { type: 'integer', minimum: 1 }, 30],
  ['APP_STORAGE_QUOTA', 'appStorageQuota', { type: 'integer', minimum: 0 }, 1024 * 1024 * 1024],
  ['WORKFLOW_POLL_INTERVAL_MS', 'workflowPollIntervalMs', { type: 'integer', minimum: 10 }, 10000],
  ['EVENTS_ENABLED', 'eventsEnabled', { type: 'boolean' }, true],
  ['EVENTS_SAMPLING_RATE', 'eventsSamplingRate', { type: 'number', minimum: 0, maximum: 1 }, 0.1],
  ['EVENTS_RETENTION_DAYS', 'eventsRetentionDays', { type: 'integer', minimum: 1, maximum: 3650 }, 7],
  ['EVENTS_FLUSH_INTERVAL_MS', 'eventsFlushIntervalMs', { type: 'integer', minimum: 10, maximum: 60000 }, 1000],
  ['REALTIME_RETENTION', 'realtimeRetention', { type: 'integer', minimum: 1 }, 24 * 3600],
  ['REALTIME_HEARTBEAT_MS', 'realtimeHeartbeatMs', { type: 'integer', minimum: 10 }, 15000],
  ['REALTIME_MAX_BUFFERED', 'realtimeMaxBuffered', { type: 'integer', minimum: 1 }, 1000],
  ['REALTIME_POLL_INTERVAL_MS', 'realtimePollIntervalMs', { type: 'integer', minimum: 10 }, 1000],
  ['REALTIME_PRUNE_INTERVAL_MS', 'realtimePruneIntervalMs', { type: 'integer', minimum: 100 }, 10 * 60 * 1000],
  ['REALTIME_BATCH_MS', 'realtimeBatchMs', { type: 'integer', minimum: 0, maximum: 1000 }, 20],
  ['REALTIME_WRITES_PER_SECOND', 'realtimeWritesPerSecond', { type: 'integer', minimum: 100 }, 10000],
  ['SHUTDOWN_TIMEOUT', 'shutdownTimeout', { type: 'number', exclusiveMinimum: 0, maximum: 3600 }, 10],
  ['WORKERS', 'workers', { type: 'integer', minimum: 1, maximum: 256 }, 1],
  ['DATABASE_SERVERS', 'databaseServers', { type: 'string', maxLength: 1_000_000 }, ''],
  ['REPLICA_MAX_LAG_MS', 'replicaMaxLagMs', { type: 'integer', minimum: 0 }, 1000],
  ['REPLICA_PROBE_INTERVAL_MS', 'replicaProbeIntervalMs', { type: 'integer', minimum: 10, maximum: 60000 }, 200],
  ['SMTP_URL', 'smtpUrl', { type: ['string', 'null'], pattern: '^smtps?://' }, null],
  ['MAIL_FROM', 'mailFrom', { type: 'string', minLength: 3, maxLength: 320 }, 'Rocket <no-reply@localhost>'],
  ['PUBLIC_URL', 'publicUrl', { type: ['string', 'null'], pattern: '^https?://[^\\s]+$' }, null],
  ['MAIL_MAX_PER_EMAIL', 'mailMaxPerEmail', { type: 'integer', minimum: 1 }, 5],
  ['MAIL_MAX_PER_IP', 'mailMaxPerIp', { type: 'integer', minimum: 1 }, 30],
  ['MAIL_WINDOW', 'mailWindow', { type: 'integer', minimum: 1 }, 3600],
  ['API_KEY_USAGE_FLUSH_MS', 'apiKeyUsageFlushMs', { type: 'integer', minimum: 10, maximum: 600000 }, 5000]
] as const

type Entry = typeof ENTRIES[number]

const schema = {
  type: 'object',
  additionalProperties: false,
  properties: Object.fromEntries(ENTRIES.map(([env, , s]) => [env, s])),
  required: ENTRIES.map(([env]) => env)
}

const ajv = new Ajv({ allErrors: true, coerceTypes: true })
const validate = ajv.compile(schema)

/** Thrown when configuration is invalid; the message names the offending key. */
export class ConfigError extends Error {}

/**
 * Builds the configuration from environment variables (and explicit overrides, used by tests).
 * Values are coerced to their types; an invalid value throws a ConfigError naming the key.
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env, overrides: Partial<Config> = {}): Config {
  const raw: Record<string, unknown> = {}
  for (const [name, , , def] of ENTRIES) {
    const value = env[name]
    raw[name] = value === undefined || value === '' ? def : value
  }
  if (!validate(raw)) {
    const err = validate.errors?.[0]
    const key = err?.instancePath.replace(/^\//, '') ?? 'unknown'
    throw new ConfigError(`Invalid configuration: ${key} ${err?.message ?? 'is invalid'}`)
  }
  const config: Record<string, unknown> = {}
  for (const [name, key] of ENTRIES as readonly Entry[]) config[key] = raw[name]
  const trustProxy = parseTrustProxy(String(raw.TRUST_PROXY))
  if (typeof trustProxy === 'object' && !Array.isArray(trustProxy)) throw new ConfigError(`Invalid configuration: TRUST_PROXY ${trustProxy.problem}`)
  config.trustProxy = trustProxy
  const servers = parseDatabaseServers(String(raw.DATABASE_SERVERS))
  if (!Array.isArray(servers)) throw new ConfigError(`Invalid configuration: DATABASE_SERVERS ${servers.problem}`)
  config.databaseServers = servers
  return { ...(config as unknown as Config), ...overrides }
}
