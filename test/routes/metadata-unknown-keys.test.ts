import t from 'tap'
import { build, createTestApp, expectError } from '../helper.js'

interface Detail { field?: string, rule?: string, message: string }

function details (body: string): Detail[] {
  return (JSON.parse(body) as { error: { details?: Detail[] } }).error.details ?? []
}

t.test('metadata definitions refuse unknown keys with a did-you-mean hint, and store nothing', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app)

  const typo = await a.as(a.admin, {
    method: 'POST',
    url: '/_admin/entities',
    payload: { name: 'post', sofdelete: true, fields: [{ name: 'title', type: 'string', requried: true }] }
  })
  expectError(t, typo, 422, 'VALIDATION_FAILED')
  const found = details(typo.body)
  const entityKey = found.find((d) => d.field === 'sofdelete')
  t.equal(entityKey?.rule, 'unknown')
  t.match(entityKey?.message, /did you mean 'soft_delete'/)
  const fieldKey = found.find((d) => d.field === 'fields.title.requried')
  t.equal(fieldKey?.rule, 'unknown')
  t.match(fieldKey?.message, /did you mean 'required'/)
  const missing = await a.as(a.admin, { method: 'GET', url: '/_admin/entities/post' })
  expectError(t, missing, 404, 'NOT_FOUND')

  const pk = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'tag', primary_key: { field: 'id', type: 'uuid', generatd: true }, slug: { field: 'id', sorce: 'id' }, fields: [{ name: 'id', type: 'uuid' }] } })
  expectError(t, pk, 422, 'VALIDATION_FAILED')
  t.ok(details(pk.body).some((d) => d.field === 'primary_key.generatd' && /did you mean 'generated'/.test(d.message)))
  t.ok(details(pk.body).some((d) => d.field === 'slug.sorce' && /did you mean 'source'/.test(d.message)))

  // A definition read back can be sent back unchanged (read-only row keys are ignored).
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload: { name: 'note', fields: [{ name: 'body', type: 'text', required: true }] } })
  t.equal(created.statusCode, 201, created.body)
  const read = await a.as(a.admin, { method: 'GET', url: '/_admin/entities/note' })
  const echoed = { ...(read.json() as { data: Record<string, unknown> }).data, created_at: '2026-01-01T00:00:00Z' }
  const put = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/note', payload: echoed })
  t.equal(put.statusCode, 200, put.body)
  const badPut = await a.as(a.admin, { method: 'PUT', url: '/_admin/entities/note', payload: { ...echoed, soft_delet: true } })
  expectError(t, badPut, 422, 'VALIDATION_FAILED')
  t.ok(details(badPut.body).some((d) => d.field === 'soft_delet' && /did you mean 'soft_delete'/.test(d.message)))

  const rel = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { name: 'notes', type: 'one_to_many', source: 'note', target: 'note', target_key: 'body', ondelete: 'cascade' } })
  expectError(t, rel, 422, 'VALIDATION_FAILED')
  t.ok(details(rel.body).some((d) => d.field === 'ondelete' && /did you mean 'on_delete'/.test(d.message)))
  const relations = await a.as(a.admin, { method: 'GET', url: '/_admin/relations' })
  t.same((relations.json() as { data: unknown[] }).data, [])

  const rule = await a.as(a.admin, { method: 'POST', url: '/_admin/rules', payload: { entity: 'note', type: 'field', definition: { field: 'body', operator: 'min_length', value: 2, message: 'short' }, priorty: 1 } })
  expectError(t, rule, 422, 'VALIDATION_FAILED')
  t.ok(details(rule.body).some((d) => d.field === 'priorty' && /did you mean 'priority'/.test(d.message)))

  const ui = await a.as(a.admin, { method: 'POST', url: '/_admin/ui-configs', payload: { entity: 'note', confg: {} } })
  expectError(t, ui, 422, 'VALIDATION_FAILED')
  t.ok(details(ui.body).some((d) => d.field === 'confg' && /did you mean 'config'/.test(d.message)))
})
