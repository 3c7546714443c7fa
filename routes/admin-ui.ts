import { existsSync } from 'node:fs'
import { stat } from 'node:fs/promises'
import { join, resolve, sep } from 'node:path'
import fastifyStatic from '@fastify/static'
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify'
import { PROJECT_ROOT } from '../lib/project-root.js'

/** Where `npm run build:admin` writes the SolidJS app (admin/vite.config.ts). */
export const ADMIN_DIST = join(PROJECT_ROOT, 'admin', 'dist')

/**
 * The admin UI's policy: Vite emits no inline script or style, so scripts, styles and API
 * calls are same-origin only; images may be blob: (file previews fetched with the token).
 */
export const ADMIN_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'self'"
].join('; ')

const HASHED_MAX_AGE = 'public, max-age=31536000, immutable'
/** A path that names a file (an extension in its last segment), as opposed to a client-side route. */
const FILE_LIKE_RE = /(^|\/)assets\/|\.[a-z0-9]+$/i

export interface AdminUiOptions {
  /** Built admin UI folder; default `admin/dist`. */
  root?: string
}

function notBuilt (reply: FastifyReply): FastifyReply {
  return reply.code(503).header('cache-control', 'no-store').type('application/json; charset=utf-8').send({
    error: { code: 'ADMIN_UI_NOT_BUILT', message: 'The admin UI is not built: run `npm run build:admin`, then reload' }
  })
}

/** The file under `root` a request path names, or null (outside root, missing, a folder). */
async function existingFile (root: string, rel: string): Promise<string | null> {
  const full = resolve(root, rel)
  if (!full.startsWith(root + sep)) return null
  try {
    return (await stat(full)).isFile() ? full.slice(root.length + 1) : null
  } catch {
    return null
  }
}

/**
 * Route plugin (encapsulated: `reply.sendFile` stays in here). Serves the built admin UI at `/admin/`: files from `admin/dist` (hashed assets cached for a
 * year, index.html revalidated every time), every other path under `/admin/` answered with
 * index.html so that client-side routes survive a reload (SPA fallback), `/admin` redirected to
 * `/admin/`. When the UI was never built the server still starts and `/admin/` says how to build it.
 */
export default async function adminUi (fastify: FastifyInstance, opts: AdminUiOptions): Promise<void> {
  const root = resolve(opts.root ?? ADMIN_DIST)
  // Checked per request rather than at boot, so a build made while the server runs is picked up.
  const built = (): boolean => existsSync(join(root, 'index.html'))
  await fastify.register(fastifyStatic, { root, serve: false, cacheControl: false, index: false })

  const sendIndex = (reply: FastifyReply): FastifyReply =>
    reply.header('cache-control', 'no-cache').header('content-security-policy', ADMIN_CSP).sendFile('index.html')

  // The router ignores trailing slashes, so `/admin` lands here too: redirect it to `/admin/`.
  fastify.get('/admin/', async (request, reply) => {
    const q = request.url.indexOf('?')
    const path = q < 0 ? request.url : request.url.slice(0, q)
    if (!path.endsWith('/')) return await reply.redirect(`${path}/${q < 0 ? '' : request.url.slice(q)}`, 301)
    if (!built()) return notBuilt(reply)
    return await sendIndex(reply)
  })

  fastify.get<{ Params: { '*': string } }>('/admin/*', async (request: FastifyRequest<{ Params: { '*': string } }>, reply) => {
    if (!built()) return notBuilt(reply)
    const rel = request.params['*']
    const file = rel === '' ? null : await existingFile(root, rel)
    if (file === 'index.html' || (file === null && !FILE_LIKE_RE.test(rel))) return await sendIndex(reply)
    if (file === null) {
      return await reply.code(404).type('application/json; charset=utf-8')
        .send({ error: { code: 'NOT_FOUND', message: `No admin UI file '${rel.slice(0, 100)}'` } })
    }
    const cache = file.startsWith('assets/') ? HASHED_MAX_AGE : 'no-cache'
    return await reply.header('cache-control', cache).header('content-security-policy', ADMIN_CSP).sendFile(file)
  })
}
