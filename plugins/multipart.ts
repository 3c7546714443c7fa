import fp from 'fastify-plugin'
import multipart from '@fastify/multipart'
import type { FastifyInstance } from 'fastify'

export interface MultipartOptions {
  /** Largest accepted file in bytes (`MAX_FILE_SIZE`). */
  maxFileSize: number
}

/**
 * `multipart/form-data` parsing (stream mode: `request.file()`), for upload routes only:
 * register it inside the route plugin that needs it. Elsewhere a multipart body keeps being
 * refused as an unsupported content type, and the JSON routes do not pay for its hooks.
 * One file per request; a few small text fields are tolerated and ignored.
 */
async function multipartPlugin (fastify: FastifyInstance, opts: MultipartOptions): Promise<void> {
  await fastify.register(multipart, {
    limits: { fileSize: opts.maxFileSize, files: 1, fields: 10, fieldSize: 64 * 1024, parts: 20, headerPairs: 100 }
  })
}

export default fp(multipartPlugin, { name: 'multipart', fastify: '5.x' })
