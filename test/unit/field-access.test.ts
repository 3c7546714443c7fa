import t from 'tap'
import { buildRegistry } from '../../lib/metadata/registry.js'
import { validateEntityDef } from '../../lib/metadata/validate-entity.js'
import { compilePolicies, fieldAccessFor } from '../../lib/permissions/compile.js'
import { rowFields } from '../../lib/permissions/field-access.js'
import type { PermissionInput } from '../../lib/permissions/types.js'

/** What matching policies come to per field (lib/permissions/field-access.ts), without a database. */

const defs = [{ name: 'doc', table: 'docs', fields: [{ name: 'title', type: 'string' }, { name: 'body', type: 'text' }, { name: 'owner_id', type: 'uuid' }, { name: 'secret', type: 'string' }] }].map((e) => validateEntityDef(e))
const registry = buildRegistry(defs, [], 1)
const U1 = '11111111-1111-4111-8111-111111111111'
const U2 = '22222222-2222-4222-8222-222222222222'
const user = (roles: string[], id = U1): { id: string, email: string, roles: string[] } => ({ id, email: 'u@example.test', roles })
const p = (x: Partial<PermissionInput>): PermissionInput => ({ entity: 'doc', action: 'read', roles: ['r'], conditions: [], ...x })
const sorted = (s: ReadonlySet<string> | null): string[] | null => (s === null ? null : [...s].sort())
const access = (defs: PermissionInput[], roles = ['r'], id = U1): ReturnType<typeof fieldAccessFor> =>
  fieldAccessFor(compilePolicies(defs, registry), { entity: 'doc', action: 'read', user: user(roles, id) as never })

t.test('no policy with fields: every field, no work', async (t) => {
  t.equal(access([p({})]).kind, 'all')
  t.equal(access([p({ fields: null }), p({ roles: ['other'], fields: ['title'] })]).kind, 'all', 'a policy of another role does not restrict')
})

t.test('one field set: fixed, the PK always in it', async (t) => {
  const a = access([p({ fields: ['title'] })])
  t.equal(a.kind, 'fixed')
  t.same(sorted(rowFields(a, {})), ['id', 'title'])
  const u = access([p({ fields: ['title'] }), p({ fields: ['body'] })])
  t.same(sorted(rowFields(u, {})), ['body', 'id', 'title'], 'unconditional policies union')
  const covered = access([p({ fields: ['title', 'body'] }), p({ fields: ['body'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })])
  t.equal(covered.kind, 'fixed', 'a conditional policy adding nothing keeps it fixed')
  const same = access([p({ fields: ['title'], conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] }), p({ fields: ['title'], conditions: [{ field: 'secret', operator: 'eq', value: 'x' }] })])
  t.equal(same.kind, 'fixed', 'conditional policies with one field set')
  t.equal(access([p({ fields: ['title'] }), p({})]).kind, 'all', 'an unconditional policy without fields shows everything')
})

t.test('fields depending on the row: union of the matching policies, every = what each row shows', async (t) => {
  const a = access([p({ fields: ['title'] }), p({ conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })])
  t.equal(a.kind, 'row')
  if (a.kind !== 'row') return
  t.same(sorted(a.of({ owner_id: U1 })), ['body', 'id', 'owner_id', 'secret', 'title'], 'own row: all')
  t.same(sorted(a.of({ owner_id: U2 })), ['id', 'title'], 'other row: the shared fields')
  t.same(sorted(a.every), ['id', 'title'])
  t.same(sorted(a.union), ['body', 'id', 'owner_id', 'secret', 'title'])
  t.same([...a.reads], ['owner_id'])
  const b = access([p({ fields: ['title'] }), p({ conditions: [{ field: 'owner_id', operator: 'eq', value: '$user.id' }] })], ['r'], U2)
  t.same(b.kind === 'row' ? sorted(b.of({ owner_id: U1 })) : null, ['id', 'title'], '$user.id resolved per user')
  const c = access([p({ fields: ['title', 'body'], conditions: [{ field: 'secret', operator: 'eq', value: 'a' }] }), p({ fields: ['title', 'owner_id'], conditions: [{ field: 'secret', operator: 'eq', value: 'b' }] })])
  t.same(c.kind === 'row' ? sorted(c.every) : null, ['id', 'title'], 'no unconditional policy: every = the intersection')
  t.same(c.kind === 'row' ? sorted(c.of({ secret: 'c' })) : null, ['id'], 'a row no policy matches shows only its key')
})

t.test('a dropped field grants nothing; writes are computed the same way', async (t) => {
  const a = access([p({ fields: ['title', 'gone'] })])
  t.same(sorted(rowFields(a, {})), ['id', 'title'])
  const set = compilePolicies([p({ action: 'create', fields: ['title'] })], registry)
  t.same(sorted(rowFields(fieldAccessFor(set, { entity: 'doc', action: 'create', user: user(['r']) as never }), {})), ['id', 'title'])
  t.equal(fieldAccessFor(set, { entity: 'doc', action: 'create', user: null }).kind, 'all', 'engine work (no user) is not restricted here')
})
