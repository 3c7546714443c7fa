// SSRF default of webhook deliveries (docs/ARCHITECTURE.md, Webhooks): address classes, the
// save-time check without DNS, and the delivery-time check after resolution.
import { lookup } from 'node:dns/promises'
import { hostname } from 'node:os'
import t from 'tap'
import { sendWebhook } from '../../lib/webhooks/http.js'
import { urlProblem, webhookSettings } from '../../lib/webhooks/settings.js'
import { BlockedAddressError, guardedLookup, isNonPublicAddress, PUBLIC_ONLY } from '../../lib/webhooks/ssrf.js'
import { startReceiver } from '../routes/webhooks-receiver.js'

const NON_PUBLIC = [
  '127.0.0.1', '127.9.9.9', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '169.254.169.254', '0.0.0.0',
  '100.64.0.1', '224.0.0.1', '255.255.255.255', '::1', '::', 'fc00::1', 'fd12:3456::1', 'fe80::1', '[::1]',
  '::ffff:127.0.0.1', '::ffff:7f00:1', '::ffff:169.254.169.254', '::ffff:a9fe:a9fe', 'fe80::1%eth0'
]
const PUBLIC = ['8.8.8.8', '1.1.1.1', '172.32.0.1', '169.255.0.1', '2606:4700:4700::1111', '::ffff:8.8.8.8']

t.test('address classes', async (t) => {
  for (const ip of NON_PUBLIC) t.ok(isNonPublicAddress(ip), `${ip} is not public`)
  for (const ip of PUBLIC) t.notOk(isNonPublicAddress(ip), `${ip} is public`)
  t.notOk(isNonPublicAddress('example.com'), 'a name is not judged here')
})

t.test('save-time check: literal addresses and localhost names, unless allowed', async (t) => {
  for (const url of ['http://127.0.0.1:8080/x', 'http://[::1]/', 'http://localhost/', 'http://LOCALHOST./', 'http://api.localhost/',
    'http://169.254.169.254/latest/meta-data', 'http://10.0.0.5/', 'http://[fd00::1]/', 'http://0.0.0.0/', 'http://[::ffff:127.0.0.1]/', 'http://2130706433/']) {
    t.match(urlProblem(url, PUBLIC_ONLY), /loopback, private or link-local.*WEBHOOK_ALLOW_PRIVATE/, url)
  }
  t.equal(urlProblem('https://hooks.example.com/x', PUBLIC_ONLY), null, 'a public name passes (resolved at delivery)')
  t.equal(urlProblem('http://127.0.0.1/x', webhookSettings({ webhookAllowPrivate: true })), null, 'WEBHOOK_ALLOW_PRIVATE allows it')
  t.equal(urlProblem('http://localhost/x', webhookSettings({ webhookAllowedHosts: 'localhost' })), null, 'an allow-list decides alone')
  t.equal(webhookSettings().allowPrivate, false, 'refused by default')
})

t.test('delivery-time check: names are resolved and the checked address is the one connected to', async (t) => {
  const err = await new Promise<unknown>((resolve) => { guardedLookup('localhost', {}, (e) => { resolve(e) }) })
  t.type(err, BlockedAddressError, 'a name resolving to loopback is refused by the lookup')
  const rx = await startReceiver()
  t.teardown(rx.close)
  const port = new URL(rx.url).port
  const base = { method: 'POST', headers: {}, body: { x: 1 }, secret: null, timeoutMs: 2000 }
  const literal = await sendWebhook({ ...base, url: `${rx.url}/lit`, policy: PUBLIC_ONLY })
  t.match(literal, { ok: false, status: null, error: /loopback, private or link-local/ }, 'a literal address is refused before connecting')
  // A name that is not `localhost` but resolves to a non-public address (this machine's name usually does).
  const name = hostname()
  const addresses = await lookup(name, { all: true }).catch(() => [])
  if (!addresses.some((a) => isNonPublicAddress(a.address)) || !addresses.some((a) => a.address === '127.0.0.1')) {
    t.comment(`${name} does not resolve to 127.0.0.1 here: the DNS path is covered by the lookup check above`)
    return
  }
  const viaDns = await sendWebhook({ ...base, url: `http://${name}:${port}/dns`, policy: PUBLIC_ONLY })
  t.match(viaDns, { ok: false, status: null, error: /refused: .* resolves to a non-public address/ })
  t.equal(rx.on('/dns').length, 0, 'nothing reached the receiver')
  const allowed = await sendWebhook({ ...base, url: `http://${name}:${port}/dns`, policy: webhookSettings({ webhookAllowPrivate: true }) })
  t.match(allowed, { ok: true, status: 200 }, 'allowed for development')
  t.equal(rx.on('/dns').length, 1)
})
