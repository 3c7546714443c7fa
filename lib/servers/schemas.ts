import { MAX_REPLICAS, POSTGRES_URL_PATTERN, SERVER_NAME_PATTERN } from '../../config/database-servers.js'

/** Route schemas of `/api/_platform/servers` (docs/reference.md, "Database servers"). */

const postgresUrl = { type: 'string', pattern: POSTGRES_URL_PATTERN, maxLength: 2048 }

export const registerServerBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url'],
  properties: {
    name: { type: 'string', pattern: SERVER_NAME_PATTERN, description: 'Unique name; `default` is the management server.' },
    url: { ...postgresUrl, description: 'URL of a role with CREATEROLE and CREATEDB (or a superuser) on the primary; the database name is not used.' },
    replicas: { type: 'array', maxItems: MAX_REPLICAS, items: postgresUrl, description: 'Streaming replicas of that server (same role).' }
  }
} as const

const replicaStatus = {
  type: 'object',
  additionalProperties: false,
  required: ['url', 'healthy', 'lag_ms', 'replay_lsn'],
  properties: {
    url: { type: 'string' },
    healthy: { type: 'boolean', description: 'Answering as a streaming standby at the last probe (and no read failed on it since).' },
    lag_ms: { type: ['integer', 'null'], description: 'How long ago the WAL it has replayed was received (received vs replayed WAL).' },
    replay_lsn: { type: ['string', 'null'] }
  }
}

const server = {
  type: 'object',
  additionalProperties: false,
  required: ['name', 'url', 'replicas', 'apps'],
  properties: {
    name: { type: 'string' },
    url: { type: 'string', description: 'Password masked (`***`).' },
    replicas: { type: 'array', items: { type: 'string' }, description: 'Passwords masked.' },
    apps: { type: 'integer', description: 'Apps whose database lives on this server.' },
    replica_status: { type: 'array', items: replicaStatus }
  }
}

export const listServersSchema = {
  operationId: 'platform_list_servers',
  summary: 'List database servers',
  description: 'The servers app databases may be placed on, with their replicas (passwords masked), app counts and replica health.',
  tags: ['platform'],
  response: { 200: { type: 'object', additionalProperties: false, required: ['data'], properties: { data: { type: 'array', items: server } } } }
}

export const registerServerSchema = {
  operationId: 'platform_create_server',
  summary: 'Register a database server',
  description: 'Checks that the primary answers (PostgreSQL 14+, a role that may create roles and databases) and that every replica is a standby (else 422), stores it (409 when the name is taken) and tells every process.',
  tags: ['platform'],
  body: registerServerBody,
  response: { 201: { type: 'object', additionalProperties: false, required: ['data'], properties: { data: server } } }
}
