// The operations pages' pure helpers (admin/src): 422 details matched to inputs, roles and emails
// as typed, JSON parsing without throwing, and the webhook form ↔ API body conversion.
import t from 'tap'
import { detailFor, parseEmails, parseJson, parseRoles } from '../../admin/src/components/form-values.js'
import { bodyOf, draftOf } from '../../admin/src/pages/webhooks/webhook-form.js'
import type { Webhook } from '../../admin/src/api/ops-types.js'

t.test('detailFor: the exact field first, then a sub-path named with its path', async (t) => {
  const err = { details: [{ field: 'retry.max_attempts', message: 'from 1 to 10' }, { field: 'url', message: 'bad url' }, { field: 'conditions[0].value', message: 'not a uuid' }] }
  t.equal(detailFor(err, 'url'), 'bad url')
  t.equal(detailFor(err, 'retry'), 'retry.max_attempts: from 1 to 10')
  t.equal(detailFor(err, 'conditions'), 'conditions[0].value: not a uuid')
  t.equal(detailFor(err, 'retr'), undefined, 'a prefix of a name is not a sub-path')
  t.equal(detailFor(new Error('x'), 'url'), undefined)
  t.equal(detailFor(null, 'url'), undefined)
})

t.test('roles and emails as typed', async (t) => {
  t.same(parseRoles(' editor, viewer  admin,,'), ['editor', 'viewer', 'admin'])
  t.same(parseRoles(''), [])
  t.same(parseEmails('a@x.test\nb@x.test; c@x.test , d@x.test\n\n'), ['a@x.test', 'b@x.test', 'c@x.test', 'd@x.test'])
})

t.test('parseJson reports instead of throwing', async (t) => {
  t.same(parseJson('{"a": [1]}'), { ok: true, value: { a: [1] } })
  const bad = parseJson('{"a": }')
  t.equal(bad.ok, false)
  t.ok(!bad.ok && bad.message.length > 0)
})

t.test('webhook form: a stored webhook round-trips; the secret is sent only when typed or removed', async (t) => {
  const stored: Webhook = {
    id: 'w1',
    entity: 'order',
    hook: 'after_write',
    url: 'https://example.test/hook',
    method: 'PUT',
    headers: { 'X-Key': '{{env.KEY}}' },
    condition: 'record.total > 10',
    async: true,
    retry: { max_attempts: 5, backoff: 'fixed' },
    timeout_ms: 2000,
    active: false,
    has_secret: true,
    created_at: '',
    updated_at: ''
  }
  const d = draftOf(stored)
  t.same(bodyOf(d, JSON.parse(d.headers)), {
    entity: 'order',
    hook: 'after_write',
    url: 'https://example.test/hook',
    method: 'PUT',
    headers: { 'X-Key': '{{env.KEY}}' },
    condition: 'record.total > 10',
    async: true,
    retry: { max_attempts: 5, backoff: 'fixed' },
    timeout_ms: 2000,
    active: false
  }, 'no secret key: the stored one is kept')
  t.equal(bodyOf({ ...d, secret: 's3cret' }, {}).secret, 's3cret')
  t.equal(bodyOf({ ...d, secret: 's3cret', removeSecret: true }, {}).secret, null, 'removing wins')
  const before = bodyOf({ ...draftOf(null), hook: 'before_write', entity: 'order', url: 'https://x.test', condition: '  ' }, {})
  t.equal(before.async, false, 'before_* hooks are sent sync')
  t.equal(before.condition, null, 'an empty condition is null')
  t.same(draftOf(null).max_attempts, '3')
})
