import t from 'tap'
import { OidcClients } from '../../lib/oidc/client.js'
import { OidcLoginError } from '../../lib/oidc/errors.js'
import { createProvider, providerForLogin } from '../../lib/oidc/providers.js'
import { openSecret, sealSecret } from '../../lib/oidc/secret-box.js'
import { build, createTestApp, expectError } from '../helper.js'

// `/_admin/auth-providers`: CRUD through the declared route schemas, the write-only secret, and
// what a schema cannot say (roles, issuer reachability). The login itself: oidc-login.test.ts.
const app = await build(t, { webhookAllowPrivate: true })
const ta = await createTestApp(app)
const SECRET = 'very-secret-client-secret-4f1c9a'
const valid = { name: 'google', issuer: 'https://accounts.example.com/', client_id: 'client-1', client_secret: SECRET, redirect_url: 'https://app.example.com/login' }

async function post (body: unknown, token = ta.admin): ReturnType<typeof ta.as> {
  return await ta.as(token, { method: 'POST', url: '/_admin/auth-providers', payload: body as Record<string, unknown> })
}

t.test('create, read, update, delete; the secret is never returned', async (t) => {
  const created = await post({ ...valid, default_roles: ['member', ' member '], allowed_domains: ['Example.COM'], scopes: ['email'] })
  t.equal(created.statusCode, 201, created.body)
  const p = (created.json() as { data: Record<string, unknown> }).data
  t.match(p, {
    name: 'google',
    issuer: 'https://accounts.example.com',
    client_id: 'client-1',
    has_secret: true,
    scopes: ['openid', 'email'],
    default_roles: ['member'],
    allowed_domains: ['example.com'],
    redirect_url: 'https://app.example.com/login',
    active: true,
    callback_path: `/api/${ta.name}/auth/oidc/google/callback`
  })
  t.notOk('client_secret' in p, 'no client_secret key')
  const id = p.id as string

  const list = await ta.as(ta.admin, { method: 'GET', url: '/_admin/auth-providers' })
  const one = await ta.as(ta.admin, { method: 'GET', url: `/_admin/auth-providers/${id}` })
  t.equal(list.statusCode, 200)
  t.equal(one.statusCode, 200)
  t.equal((list.json() as { data: unknown[] }).data.length, 1)
  t.equal((one.json() as { data: { id: string } }).data.id, id)

  // A PUT without client_secret keeps it; the others change.
  const renamed = await ta.as(ta.admin, { method: 'PUT', url: `/_admin/auth-providers/${id}`, payload: { client_id: 'client-2', allowed_domains: null } })
  t.equal(renamed.statusCode, 200, renamed.body)
  t.match((renamed.json() as { data: unknown }).data, { client_id: 'client-2', allowed_domains: null, has_secret: true })
  const ctx = await app.platform.apps.get(ta.name)
  t.equal((await providerForLogin(ctx!, 'google')).clientSecret, SECRET, 'secret kept and opens')
  const [row] = await ctx!.sql<Array<{ client_secret_enc: string }>>`SELECT client_secret_enc FROM _auth_providers WHERE id = ${id}`
  t.notOk(row?.client_secret_enc.includes(SECRET), 'not stored in clear')
  t.match(row?.client_secret_enc, /^v1\./)

  for (const res of [created, list, one, renamed]) t.notOk(res.body.includes(SECRET), 'secret never in a response')

  const cleared = await ta.as(ta.admin, { method: 'PUT', url: `/_admin/auth-providers/${id}`, payload: { client_secret: null } })
  t.equal((cleared.json() as { data: { has_secret: boolean } }).data.has_secret, false, 'null removes it (public client)')

  const gone = await ta.as(ta.admin, { method: 'DELETE', url: `/_admin/auth-providers/${id}` })
  t.same(gone.json(), { data: { id } })
  expectError(t, await ta.as(ta.admin, { method: 'GET', url: `/_admin/auth-providers/${id}` }), 404, 'NOT_FOUND')
  expectError(t, await ta.as(ta.admin, { method: 'DELETE', url: `/_admin/auth-providers/${id}` }), 404, 'NOT_FOUND')
  expectError(t, await ta.as(ta.admin, { method: 'GET', url: '/_admin/auth-providers/not-a-uuid' }), 404, 'NOT_FOUND')
})

t.test('bad bodies are 422 with one detail per field, and nothing is stored', async (t) => {
  const cases: Array<[string, unknown, string]> = [
    ['missing fields', { name: 'x' }, 'issuer'],
    ['unknown key', { ...valid, name: 'a1', clientsecret: 'x' }, 'clientsecret'],
    ['bad name', { ...valid, name: 'Has Space' }, 'name'],
    ['issuer not a URL', { ...valid, name: 'a2', issuer: 'accounts' }, 'issuer'],
    ['issuer not http(s)', { ...valid, name: 'a3', issuer: 'ftp://x.example' }, 'issuer'],
    ['issuer with a query', { ...valid, name: 'a4', issuer: 'https://x.example/?a=1' }, 'issuer'],
    ['redirect with a fragment', { ...valid, name: 'a5', redirect_url: 'https://app.example/#x' }, 'redirect_url'],
    ['roles not strings', { ...valid, name: 'a6', default_roles: [1] }, 'default_roles.0'],
    ['blank role', { ...valid, name: 'a7', default_roles: ['  '] }, 'default_roles'],
    ['scope with a space', { ...valid, name: 'a8', scopes: ['a b'] }, 'scopes.0'],
    ['bad domain', { ...valid, name: 'a9', allowed_domains: ['-bad'] }, 'allowed_domains.0'],
    ['empty secret', { ...valid, name: 'b1', client_secret: '' }, 'client_secret']
  ]
  for (const [what, body, field] of cases) {
    const err = expectError(t, await post(body), 422, 'VALIDATION_FAILED')
    t.ok((err.details as Array<{ field?: string }> | undefined)?.some((d) => d.field === field), `${what}: names ${field} (${JSON.stringify(err.details)})`)
  }
  const list = await ta.as(ta.admin, { method: 'GET', url: '/_admin/auth-providers' })
  t.same((list.json() as { data: unknown[] }).data, [], 'nothing stored')
  expectError(t, await ta.as(ta.admin, { method: 'PUT', url: '/_admin/auth-providers/00000000-0000-0000-0000-000000000000', payload: {} }), 422, 'VALIDATION_FAILED')
  expectError(t, await ta.as(ta.admin, { method: 'PUT', url: '/_admin/auth-providers/00000000-0000-0000-0000-000000000000', payload: { active: true } }), 404, 'NOT_FOUND')
})

t.test('names are unique (409); admins only (403)', async (t) => {
  t.equal((await post({ ...valid, name: 'dup' })).statusCode, 201)
  const err = expectError(t, await post({ ...valid, name: 'dup' }), 409, 'CONFLICT')
  t.match(err.details, [{ field: 'name', rule: 'unique' }])
  const second = await post({ ...valid, name: 'dup2' })
  const id = (second.json() as { data: { id: string } }).data.id
  expectError(t, await ta.as(ta.admin, { method: 'PUT', url: `/_admin/auth-providers/${id}`, payload: { name: 'dup' } }), 409, 'CONFLICT')

  await ta.as(ta.admin, { method: 'POST', url: '/_admin/users', payload: { email: 'plain@example.com', password: 'plain-password', roles: ['member'] } })
  const login = await ta.as(null, { method: 'POST', url: '/auth/login', payload: { email: 'plain@example.com', password: 'plain-password' } })
  const member = (login.json() as { data: { access_token: string } }).data.access_token
  expectError(t, await ta.as(member, { method: 'GET', url: '/_admin/auth-providers' }), 403, 'FORBIDDEN')
  expectError(t, await post({ ...valid, name: 'mine' }, member), 403, 'FORBIDDEN')
  expectError(t, await ta.as(null, { method: 'GET', url: '/_admin/auth-providers' }), 401, 'UNAUTHORIZED')
})

t.test('without WEBHOOK_ALLOW_PRIVATE: private or plain-http issuers are refused on save and never called', async (t) => {
  const ctx = await app.platform.apps.get(ta.name)
  const strict = { app: ctx!, policy: { allowedHosts: [], allowPrivate: false } }
  for (const issuer of ['https://127.0.0.1:8443', 'https://localhost', 'https://169.254.169.254', 'http://accounts.example.com']) {
    await t.rejects(createProvider(strict, { ...valid, name: 'strict', issuer }), { code: 'VALIDATION_FAILED', details: [{ field: 'issuer' }] }, issuer)
  }
  // A provider stored while private targets were allowed is still not called once they are not.
  const clients = new OidcClients({ allowedHosts: [], allowPrivate: false })
  const provider = { id: 'x', name: 'x', issuer: 'https://127.0.0.1:9', clientId: 'c', clientSecret: null, scopes: ['openid'], defaultRoles: [], allowedDomains: null, redirectUrl: 'https://a.example', updatedAt: new Date() }
  const err = await clients.configuration(ta.name, provider).catch((e: unknown) => e)
  t.ok(err instanceof OidcLoginError)
  t.equal((err as OidcLoginError).code, 'provider_unavailable')
  t.match((err as OidcLoginError).message, /not allowed/)
  t.match(((err as OidcLoginError).cause as Error).message, /loopback, private or link-local/)
})

t.test('sealed secrets open only for their app and key', async (t) => {
  const sealed = sealSecret('s3cret', { appSecret: 'k'.repeat(48), app: 'one' })
  t.equal(openSecret(sealed, { appSecret: 'k'.repeat(48), app: 'one' }), 's3cret')
  t.throws(() => openSecret(sealed, { appSecret: 'k'.repeat(48), app: 'two' }), 'another app')
  t.throws(() => openSecret(sealed, { appSecret: 'j'.repeat(48), app: 'one' }), 'another key')
  t.not(sealSecret('s3cret', { appSecret: 'k'.repeat(48), app: 'one' }), sealed, 'a fresh IV each time')
})

t.test('the OpenAPI document lists the routes from their schemas', async (t) => {
  const res = await ta.as(ta.admin, { method: 'GET', url: '/_openapi.json' })
  const doc = res.json() as { paths: Record<string, Record<string, { summary?: string, requestBody?: { content: Record<string, { schema: { properties?: Record<string, unknown> } }> } }>> }
  t.ok(doc.paths['/_admin/auth-providers']?.get, 'list')
  t.ok(doc.paths['/_admin/auth-providers']?.post, 'create')
  t.ok(doc.paths['/_admin/auth-providers/{id}']?.put, 'update')
  t.ok(doc.paths['/_admin/auth-providers/{id}']?.delete, 'delete')
  t.equal(doc.paths['/auth/oidc/{provider}']?.get?.summary, 'Start an OpenID Connect login (redirects to the provider)')
  t.ok(doc.paths['/auth/oidc/{provider}/callback']?.get, 'callback')
  const startOp = doc.paths['/auth/oidc/{provider}']?.get as { responses?: Record<string, unknown> } | undefined
  t.ok(startOp?.responses?.['302'], 'the redirect is documented')
  t.notOk(startOp?.responses?.['2XX'], 'no made-up 2xx')
  t.same((startOp as { security?: unknown[] } | undefined)?.security, [], 'public: no token')
  const body = doc.paths['/_admin/auth-providers']?.post?.requestBody?.content['application/json']?.schema
  t.ok(body?.properties?.client_secret, 'client_secret documented (write-only)')
})
