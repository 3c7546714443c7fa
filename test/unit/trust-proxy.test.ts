// Issue 16 finding 4: TRUST_PROXY is parsed and validated like the other configuration keys.
import t from 'tap'
import { ConfigError, loadConfig } from '../../config/index.js'
import { fastifyTrustProxy } from '../../config/trust-proxy.js'

t.test('TRUST_PROXY values', async (t) => {
  t.equal(loadConfig({}).trustProxy, false, 'off by default')
  t.equal(loadConfig({ TRUST_PROXY: 'false' }).trustProxy, false)
  t.equal(loadConfig({ TRUST_PROXY: 'TRUE' }).trustProxy, true)
  t.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2, 'a hop count')
  t.same(loadConfig({ TRUST_PROXY: '10.0.0.1, 192.168.0.0/16,::1,fd00::/8,loopback' }).trustProxy, ['10.0.0.1', '192.168.0.0/16', '::1', 'fd00::/8', 'loopback'])
  for (const value of ['yes', '10.0.0.300', '10.0.0.0/33', '::1/129', '10.0.0.1,', 'proxy.example.com', '101', '1e3', '10.0.0.1/']) {
    let error: unknown = null
    try { loadConfig({ TRUST_PROXY: value }) } catch (err) { error = err }
    t.ok(error instanceof ConfigError, `${value} refused`)
    t.match((error as Error).message, /^Invalid configuration: TRUST_PROXY /, 'the message names the key')
  }
})

t.test('a hop count becomes the function Fastify runs', async (t) => {
  const trust = fastifyTrustProxy(1)
  t.type(trust, 'function')
  if (typeof trust !== 'function') return
  t.equal(trust('127.0.0.1', 0), true, 'the peer (first hop) is trusted')
  t.equal(trust('10.0.0.1', 1), false, 'the next is the client')
  t.same(fastifyTrustProxy(['10.0.0.1']), ['10.0.0.1'])
  t.equal(fastifyTrustProxy(false), false)
})
