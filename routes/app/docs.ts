import { createReadStream } from 'node:fs'
import { stat } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { notFound } from '../../lib/errors.js'
import { DOCS_CSP, DOCS_SCRIPT, DOCS_SCRIPT_FILE, docsHtml, SWAGGER_ASSETS } from '../../lib/openapi/docs-page.js'
import { openApiJson } from '../../lib/openapi/document.js'
import type { RouteInfo, RouteSchema } from '../../lib/openapi/types.js'

/**
 * `swagger-ui-dist`'s folder, found without importing its index (which would load the whole
 * browser bundle into the server).
 */
const SWAGGER_DIR = dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'))
const ASSET_MAX_AGE = 'public, max-age=86400'

/**
 * Records every route registered from here on in this scope (call it in `/api/:app`'s plugin
 * before registering routes), with its path relative to the scope's prefix. The OpenAPI
 * document lists exactly these system routes, so it never describes one the server lacks.
 */
export function collectRoutes (fastify: FastifyInstance): RouteInfo[] {
  const routes: RouteInfo[] = []
  const prefix = fastify.prefix
  fastify.addHook('onRoute', (route) => {
    const url = route.url.startsWith(prefix) ? route.url.slice(prefix.length) || '/' : route.url
    const schema = route.schema as RouteSchema | undefined
    for (const method of Array.isArray(route.method) ? route.method : [route.method]) {
      routes.push({ method, url, ...(schema !== undefined ? { schema } : {}) })
    }
  })
  return routes
}

/** Public: the Swagger UI page and its assets (served from `swagger-ui-dist`, no CDN). */
export async function docsPageRoutes (fastify: FastifyInstance): Promise<void> {
  fastify.get('/_docs', async (request, reply) => {
    const app = request.appCtx as AppContext
    return await reply
      .header('content-security-policy', DOCS_CSP)
      .header('cache-control', 'no-cache')
      .type('text/html; charset=utf-8')
      .send(docsHtml(app.name))
  })

  fastify.get<{ Params: { file: string } }>('/_docs/:file', async (request, reply) => {
    const { file } = request.params
    if (file === DOCS_SCRIPT_FILE) {
      return await reply.header('cache-control', 'no-cache').type('text/javascript; charset=utf-8').send(DOCS_SCRIPT)
    }
    const type = Object.hasOwn(SWAGGER_ASSETS, file) ? SWAGGER_ASSETS[file] : undefined
    if (type === undefined) throw notFound(`No docs asset '${file.slice(0, 100)}'`)
    // `file` is one of the fixed names above, never a path taken from the request.
    const path = join(SWAGGER_DIR, file)
    const { size } = await stat(path)
    return await reply.header('cache-control', ASSET_MAX_AGE).header('content-length', size).type(type).send(createReadStream(path))
  })
}

/** Authenticated: the OpenAPI document of the app, rebuilt only when its metadata changes. */
export async function openApiRoutes (fastify: FastifyInstance, opts: { routes: readonly RouteInfo[] }): Promise<void> {
  fastify.get('/_openapi.json', async (request: FastifyRequest, reply) => {
    const app = request.appCtx as AppContext
    const json = openApiJson({ app: app.name, registry: app.registry, routes: opts.routes })
    return await reply.header('cache-control', 'no-cache').type('application/json; charset=utf-8').send(json)
  })
}
