import { createHmac } from 'node:crypto'
import t from 'tap'
import { Problems } from '../../lib/rules/problems.js'
import { HeaderTemplateError, resolveHeaders, sendWebhook, signature } from '../../lib/webhooks/http.js'
import { changesOf } from '../../lib/webhooks/payload.js'
import { outcomeOf } from '../../lib/webhooks/runtime.js'
import { backoffDelay, urlProblem, webhookSettings } from '../../lib/webhooks/settings.js'
import { PUBLIC_ONLY } from '../../lib/webhooks/ssrf.js'
import { parseWebhookBody } from '../../lib/webhooks/validate.js'
import type { CompiledEntity } from '../../lib/metadata/compiled.js'
import type { WriteNode } from '../../lib/write/hooks.js'

t.test('body defaults and refusals', async (t) => {
  const p = new Problems()
  const def = parseWebhookBody({ entity: 'order', hook: 'after_write', url: 'https://example.com/h' }, p, PUBLIC_ONLY)
  t.same(p.details, [])
  t.match(def, { method: 'POST', async: true, active: true, timeout_ms: 5000, secret: null, condition: null, headers: {}, retry: { max_attempts: 3, backoff: 'exponential' } })
  t.equal(parseWebhookBody({ entity: 'order', hook: 'before_delete', url: 'http://x.test' }, new Problems(), PUBLIC_ONLY)?.async, false, 'before_* default to sync')
  const cases: Array<[Record<string, unknown>, string]> = [
    [{ entity: 'o', hook: 'before_write', url: 'http://x.test', async: true }, 'async'],
    [{ entity: 'o', hook: 'after_write', url: 'file:///etc/passwd' }, 'url'],
    [{ entity: 'o', hook: 'after_write', url: 'http://user:pw@x.test' }, 'url'],
    [{ entity: 'o', hook: 'after_write', url: 'http://x.test', timeout_ms: 50 }, 'timeout_ms'],
    [{ entity: 'o', hook: 'after_write', url: 'http://x.test', secret: '' }, 'secret'],
    [{ entity: 'o', hook: 'after_write', url: 'http://x.test', headers: { 'Bad Name': 'v' } }, 'headers.Bad Name'],
    [{ entity: 'o', hook: 'after_write', url: 'http://x.test', headers: { 'X-A': 'a\r\nB: c' } }, 'headers.X-A'],
    [{ entity: 'o', hook: 'after_write', url: 'http://x.test', headers: { 'X-Rocket-Signature': 'forged' } }, 'headers.X-Rocket-Signature'],
    [{ entity: 'o', hook: 'after_write', url: 'http://x.test', retry: { backoff: 'linear' } }, 'retry.backoff']
  ]
  for (const [body, field] of cases) {
    const problems = new Problems()
    t.equal(parseWebhookBody(body, problems, PUBLIC_ONLY), null, field)
    t.ok(problems.details.some((d) => d.field === field), `${field} named`)
  }
})

t.test('URL policy and host allow-list', async (t) => {
  const allowed = webhookSettings({ webhookAllowedHosts: ' Hooks.Example.com, *.partner.test ' })
  t.same(allowed.allowedHosts, ['hooks.example.com', '*.partner.test'])
  t.equal(urlProblem('https://hooks.example.com/x', allowed), null)
  t.equal(urlProblem('https://a.b.partner.test/x', allowed), null, 'wildcard matches subdomains')
  t.match(urlProblem('https://partner.test/x', allowed), /WEBHOOK_ALLOWED_HOSTS/, 'wildcard does not match the bare domain')
  t.match(urlProblem('https://evil.test/x', allowed), /not in WEBHOOK_ALLOWED_HOSTS/)
  t.equal(urlProblem('http://anything.test', PUBLIC_ONLY), null, 'empty list: any host')
  t.match(urlProblem('javascript:alert(1)', PUBLIC_ONLY), /http or https/)
  const refused = await sendWebhook({ url: 'https://evil.test/x', method: 'POST', headers: {}, body: {}, secret: null, timeoutMs: 100, policy: allowed })
  t.match(refused, { ok: false, status: null, error: /not in WEBHOOK_ALLOWED_HOSTS/ }, 'checked again at dispatch')
  const p = new Problems()
  parseWebhookBody({ entity: 'o', hook: 'after_write', url: 'https://evil.test' }, p, allowed)
  t.match(p.details, [{ field: 'url', rule: 'allowed_hosts' }])
})

t.test('header templates, signature', async (t) => {
  const env = { ROCKET_WEBHOOK_ENV_K: 'k1', ROCKET_WEBHOOK_ENV_J: 'j1', HOME: '/root' }
  t.same(resolveHeaders({ 'X-Key': 'Bearer {{env.ROCKET_WEBHOOK_ENV_K}}', 'X-Two': '{{ env.ROCKET_WEBHOOK_ENV_K }}-{{env.ROCKET_WEBHOOK_ENV_J}}', Plain: 'p' }, env),
    { 'X-Key': 'Bearer k1', 'X-Two': 'k1-j1', Plain: 'p' })
  let error: unknown = null
  try { resolveHeaders({ 'X-Key': '{{env.ROCKET_WEBHOOK_ENV_MISSING}}' }, env) } catch (err) { error = err }
  t.ok(error instanceof HeaderTemplateError, 'a missing variable fails the delivery')
  t.match((error as Error).message, /ROCKET_WEBHOOK_ENV_MISSING is not set/)
  for (const name of ['HOME', 'ROCKET_WEBHOOK_ENV_', 'rocket_webhook_env_K']) {
    error = null
    try { resolveHeaders({ 'X-Key': `{{env.${name}}}` }, env) } catch (err) { error = err }
    t.ok(error instanceof HeaderTemplateError, `${name} is never read at delivery`)
    t.notMatch((error as Error).message, /\/root|HOME|is not set/, 'the message neither leaks nor probes')
  }
  const body = '{"a":1}'
  t.equal(signature(body, 'sec'), `sha256=${createHmac('sha256', 'sec').update(body).digest('hex')}`)
})

t.test('backoff and outcome', async (t) => {
  t.equal(backoffDelay('fixed', 4, 30_000), 30_000)
  t.same([1, 2, 3, 4].map((n) => backoffDelay('exponential', n, 30_000)), [30_000, 60_000, 120_000, 240_000], '30 s × 2^(attempt − 1)')
  const fail = { ok: false, status: 500, body: '', error: 'answered 500' }
  t.same(outcomeOf({ attempt: 1, max_attempts: 3, backoff: 'exponential' }, fail, 100), { status: 'retrying', retryInMs: 100 })
  t.same(outcomeOf({ attempt: 2, max_attempts: 3, backoff: null }, fail, 100), { status: 'retrying', retryInMs: 200 })
  t.same(outcomeOf({ attempt: 3, max_attempts: 3, backoff: 'fixed' }, fail, 100), { status: 'failed', retryInMs: null })
  t.same(outcomeOf({ attempt: 3, max_attempts: 3, backoff: 'fixed' }, { ...fail, ok: true, status: 200, error: null }, 100), { status: 'delivered', retryInMs: null })
})

t.test('changes of a record', async (t) => {
  const entity = { name: 'o', fields: new Map([['a', {}], ['b', {}], ['at', {}]]) } as unknown as CompiledEntity
  const node = (n: Partial<WriteNode>): WriteNode => ({ entity, action: 'update', values: {}, old: null, path: '', ...n })
  t.same(changesOf(node({ action: 'create', values: { a: 1 } }), { id: 'x', a: 1 }), { id: { old: null, new: 'x' }, a: { old: null, new: 1 } })
  const d1 = new Date('2026-01-01T00:00:00Z')
  const upd = node({ values: { a: 1, b: 3, at: new Date(d1), ghost: 1 }, old: { a: 1, b: 2, at: d1 } })
  t.same(changesOf(upd, { a: 1, b: 3, at: new Date(d1) }), { b: { old: 2, new: 3 } }, 'unchanged values and unknown keys left out; dates by value')
  t.same(changesOf(node({ action: 'delete', old: { a: 1 } }), { a: 1 }), {})
})
