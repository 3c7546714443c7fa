import t from 'tap'
import { redactOidcCallback } from '../../lib/oidc/redact.js'
import { requestLogSerializer } from '../../lib/realtime/redact.js'
import type { FastifyRequest } from 'fastify'

t.test('callback code and state never reach the request log', async (t) => {
  t.equal(redactOidcCallback('/api/a/auth/oidc/google/callback?code=abc&state=def&iss=https%3A%2F%2Fx'),
    '/api/a/auth/oidc/google/callback?code=[REDACTED]&state=[REDACTED]&iss=https%3A%2F%2Fx')
  t.equal(redactOidcCallback('/api/a/task?state=open&code=X1'), '/api/a/task?state=open&code=X1', 'other URLs unchanged')
  const req = { method: 'GET', url: '/api/a/auth/oidc/p/callback?state=s&code=c', headers: {}, host: 'h', ip: '1.2.3.4', socket: { remotePort: 1 } } as unknown as FastifyRequest
  t.equal(requestLogSerializer(req).url, '/api/a/auth/oidc/p/callback?state=[REDACTED]&code=[REDACTED]', 'the server\'s request serializer applies it')
})
