import t from 'tap'
import type { AuthProvider } from '../../admin/src/api/auth-providers.js'
import { bodyOf, draftOf } from '../../admin/src/pages/auth-providers/provider-form.js'

const stored: AuthProvider = {
  id: 'p1',
  name: 'corp',
  issuer: 'https://id.example.com',
  client_id: 'c1',
  has_secret: true,
  scopes: ['openid', 'email'],
  default_roles: ['member'],
  allowed_domains: ['example.com'],
  redirect_url: 'https://app.example.com/done',
  active: true,
  callback_path: '/api/a/auth/oidc/corp/callback',
  created_at: '2026-12-07T00:00:00.000Z',
  updated_at: '2026-12-07T00:00:00.000Z'
}

t.test('a new provider: defaults, lists parsed, no secret typed → none sent', async (t) => {
  const d = { ...draftOf(null), name: ' corp ', issuer: 'https://id.example.com', client_id: 'c1', redirect_url: 'https://a.example', default_roles: 'member, reader', allowed_domains: '' }
  t.same(bodyOf(d, false), {
    name: 'corp',
    issuer: 'https://id.example.com',
    client_id: 'c1',
    scopes: ['openid', 'email', 'profile'],
    default_roles: ['member', 'reader'],
    allowed_domains: null,
    redirect_url: 'https://a.example',
    active: true
  })
})

t.test('editing: the secret is sent only when typed, null when removed', async (t) => {
  const d = draftOf(stored)
  t.equal(d.client_secret, '', 'the stored secret is never in the form')
  t.equal(d.allowed_domains, 'example.com')
  t.notOk('client_secret' in bodyOf(d, true), 'left empty: kept')
  t.equal(bodyOf({ ...d, client_secret: 'new' }, true).client_secret, 'new')
  t.equal(bodyOf({ ...d, client_secret: 'typed', removeSecret: true }, true).client_secret, null)
})
