import fp from 'fastify-plugin'
import type { FastifyInstance } from 'fastify'
import type { Config } from '../config/index.js'
import type { Engine } from '../lib/engine/modules.js'
import { bootPlatform, type Platform } from '../lib/platform/boot.js'

declare module 'fastify' {
  interface FastifyInstance {
    platform: Platform
  }
}

/** Boots the control plane (database, app manager) and tears it down when Fastify closes. */
async function platformPlugin (fastify: FastifyInstance, opts: { config: Config, engine: Engine }): Promise<void> {
  const log = {
    info: (m: string) => fastify.log.info(m),
    warn: (m: string) => fastify.log.warn(m),
    error: (obj: unknown, m?: string) => fastify.log.error(obj, m)
  }
  const platform = await bootPlatform(opts.config, log, opts.engine)
  fastify.decorate('platform', platform)
  fastify.addHook('onClose', async () => { await platform.close() })
}

export default fp(platformPlugin, { name: 'platform', fastify: '5.x' })
