import type { FastifyInstance } from 'fastify'
import { validationFailed } from '../../lib/errors.js'
import { checkServer } from '../../lib/servers/check.js'
import type { ServerEntry } from '../../lib/servers/directory.js'
import { listServersSchema, registerServerSchema } from '../../lib/servers/schemas.js'
import { maskUrl } from '../../lib/servers/urls.js'

interface RegisterBody { name: string, url: string, replicas?: string[] }

/**
 * Database servers for platform admins (docs/reference.md, "Database servers"): list and
 * register. URLs are shown with their passwords masked, never as stored.
 */
export default async function platformServerRoutes (fastify: FastifyInstance): Promise<void> {
  const { servers } = fastify.platform
  fastify.addHook('onRequest', fastify.authenticatePlatform)

  function present (entry: ServerEntry, apps: number): Record<string, unknown> {
    return { name: entry.name, url: maskUrl(entry.url), replicas: entry.replicas.map(maskUrl), apps }
  }

  fastify.get('/', { schema: listServersSchema }, async () => {
    const counts = await servers.appCounts()
    const health = fastify.replicaHealth
    return {
      data: servers.list().map((s) => ({
        ...present(s, counts.get(s.name) ?? 0),
        replica_status: s.replicas.map((url) => ({ ...health.statusOf(url), url: maskUrl(url) }))
      }))
    }
  })

  fastify.post<{ Body: RegisterBody }>('/', { schema: registerServerSchema }, async (request, reply) => {
    const { name, url } = request.body
    const replicas = request.body.replicas ?? []
    // Before the (slow) reachability check: a taken name is answered at once.
    await servers.load()
    servers.requireFreeName(name)
    const problems = await checkServer(url, replicas)
    if (problems.length > 0) throw validationFailed(`Database server '${name}' cannot be used`, problems)
    await servers.register({ name, url, replicas })
    request.log.info({ server: name }, 'database server registered')
    return await reply.code(201).send({ data: present({ name, url, replicas }, 0) })
  })
}
