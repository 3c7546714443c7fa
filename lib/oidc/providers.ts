import type { AppContext } from '../apps/context.js'
import { notFoundById, requireById, requireDeleted } from '../db/by-id.js'
import { conflict, notFound, validationFailed, type ErrorDetail } from '../errors.js'
import { validateRoles } from '../permissions/validate.js'
import { privateHostProblem, type UrlPolicy } from '../webhooks/ssrf.js'
import { openSecret, sealSecret } from './secret-box.js'
import type { ProviderRecord } from './types.js'

export type { ProviderRecord } from './types.js'

/** A provider with its opened client secret, for the login itself (never rendered). */
export interface ProviderConfig {
  id: string
  name: string
  issuer: string
  clientId: string
  clientSecret: string | null
  scopes: string[]
  defaultRoles: string[]
  allowedDomains: string[] | null
  redirectUrl: string
  updatedAt: Date
}

export interface ProviderInput {
  name?: string
  issuer?: string
  client_id?: string
  client_secret?: string | null
  scopes?: string[]
  default_roles?: string[]
  allowed_domains?: string[] | null
  redirect_url?: string
  active?: boolean
}

interface ProviderRow {
  id: string
  name: string
  issuer: string
  client_id: string
  client_secret_enc: string | null
  scopes: string[]
  default_roles: string[]
  allowed_domains: string[] | null
  redirect_url: string
  active: boolean
  created_at: Date
  updated_at: Date
}

/** Who may be asked for what: the app (its pool and the key of its secrets) and the outbound policy. */
export interface ProviderDeps {
  app: AppContext
  policy: UrlPolicy
}

function record (app: AppContext, row: ProviderRow): ProviderRecord {
  const { client_secret_enc: sealed, ...rest } = row
  return { ...rest, has_secret: sealed !== null, callback_path: `/api/${app.name}/auth/oidc/${row.name}/callback` }
}

const boxKey = (app: AppContext): { appSecret: string, app: string } => ({ appSecret: app.jwtSecret, app: app.name })

/**
 * What the route schema cannot say: roles as the rest of the engine accepts them, and an issuer
 * the server may call (docs/security.md: discovery and key fetches go through the same
 * private-address rule as webhooks; plain http only where private addresses are allowed,
 * i.e. development).
 */
function check (input: ProviderInput, policy: UrlPolicy): void {
  const out: ErrorDetail[] = []
  if (input.default_roles !== undefined) input.default_roles = validateRoles(input.default_roles, { field: 'default_roles', out, allowEmpty: true })
  if (input.issuer !== undefined) {
    const url = new URL(input.issuer)
    const problem = privateHostProblem(url.hostname, { allowedHosts: [], allowPrivate: policy.allowPrivate })
    if (problem !== null) out.push({ field: 'issuer', rule: 'url', message: problem })
    else if (url.protocol !== 'https:' && !policy.allowPrivate) out.push({ field: 'issuer', rule: 'url', message: 'issuer must be an https URL' })
    if (url.search !== '' || url.hash !== '') out.push({ field: 'issuer', rule: 'url', message: 'issuer must have no query or fragment' })
  }
  if (input.redirect_url !== undefined && new URL(input.redirect_url).hash !== '') {
    out.push({ field: 'redirect_url', rule: 'url', message: 'redirect_url must have no fragment (the tokens go there)' })
  }
  if (out.length > 0) throw validationFailed(`Invalid auth provider: ${out[0]?.message ?? ''}`, out)
}

function normalized (input: ProviderInput): ProviderInput {
  const out = { ...input }
  if (out.issuer !== undefined) out.issuer = out.issuer.replace(/\/+$/, '')
  if (out.scopes !== undefined) out.scopes = [...new Set(['openid', ...out.scopes])]
  if (out.allowed_domains !== undefined && out.allowed_domains !== null) out.allowed_domains = [...new Set(out.allowed_domains.map((d) => d.toLowerCase()))]
  return out
}

function nameTaken (name: string): Error {
  return conflict(`An auth provider named '${name}' already exists`, [{ field: 'name', rule: 'unique', message: 'name is taken' }])
}

function isUniqueViolation (err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === '23505'
}

/** The columns an input sets (the secret sealed when given, removed when null). */
function columns (deps: ProviderDeps, input: ProviderInput): Record<string, unknown> {
  const { client_secret: secret, ...rest } = input
  const cols: Record<string, unknown> = { ...rest }
  if (secret !== undefined) cols.client_secret_enc = secret === null ? null : sealSecret(secret, boxKey(deps.app))
  return cols
}

export async function listProviders (app: AppContext): Promise<ProviderRecord[]> {
  const rows = await app.sql<ProviderRow[]>`SELECT * FROM _auth_providers ORDER BY name`
  return rows.map((r) => record(app, r))
}

export async function getProvider (app: AppContext, id: string): Promise<ProviderRecord> {
  return await requireById('Auth provider', id, async (id) => {
    const [row] = await app.sql<ProviderRow[]>`SELECT * FROM _auth_providers WHERE id = ${id}`
    return row === undefined ? undefined : record(app, row)
  })
}

export async function createProvider (deps: ProviderDeps, body: ProviderInput): Promise<ProviderRecord> {
  const input = normalized(body)
  check(input, deps.policy)
  const cols = columns(deps, input)
  try {
    const [row] = await deps.app.sql<ProviderRow[]>`INSERT INTO _auth_providers ${deps.app.sql(cols)} RETURNING *`
    return record(deps.app, row as ProviderRow)
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name ?? '')
    throw err
  }
}

export async function updateProvider (deps: ProviderDeps, id: string, body: ProviderInput): Promise<ProviderRecord> {
  await getProvider(deps.app, id)
  const input = normalized(body)
  check(input, deps.policy)
  const cols = { ...columns(deps, input), updated_at: new Date() }
  try {
    const [row] = await deps.app.sql<ProviderRow[]>`UPDATE _auth_providers SET ${deps.app.sql(cols)} WHERE id = ${id} RETURNING *`
    if (row === undefined) throw notFoundById('Auth provider', id)
    return record(deps.app, row)
  } catch (err) {
    if (isUniqueViolation(err)) throw nameTaken(input.name ?? '')
    throw err
  }
}

/** Deletes a provider (logins under way with it go too: ON DELETE CASCADE). */
export async function deleteProvider (app: AppContext, id: string): Promise<void> {
  await requireDeleted('Auth provider', id, async (id) => (await app.sql`DELETE FROM _auth_providers WHERE id = ${id}`).count > 0)
}

/** The active provider of that name with its secret opened; 404 NOT_FOUND when there is none. */
export async function providerForLogin (app: AppContext, name: string): Promise<ProviderConfig> {
  const [row] = await app.sql<ProviderRow[]>`SELECT * FROM _auth_providers WHERE name = ${name} AND active`
  if (row === undefined) throw notFound(`Auth provider '${name.slice(0, 100)}' not found`)
  return {
    id: row.id,
    name: row.name,
    issuer: row.issuer,
    clientId: row.client_id,
    clientSecret: row.client_secret_enc === null ? null : openSecret(row.client_secret_enc, boxKey(app)),
    scopes: row.scopes,
    defaultRoles: row.default_roles,
    allowedDomains: row.allowed_domains,
    redirectUrl: row.redirect_url,
    updatedAt: row.updated_at
  }
}
