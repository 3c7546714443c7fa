import { randomUUID } from 'node:crypto'
import type { MultipartFile } from '@fastify/multipart'
import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../lib/apps/context.js'
import { invalidPayload, notFound, payloadTooLarge } from '../../lib/errors.js'
import { contentDisposition, normalizeMimeType, sanitizeFilename } from '../../lib/files/names.js'
import { fileKey, type FileStorage } from '../../lib/files/storage.js'
import { insertFileWithinQuota, quotaExceeded, usedBytes } from '../../lib/files/quota.js'
import { deleteFile, getFile, listFiles, type FileRecord } from '../../lib/files/store.js'
import multipart from '../../plugins/multipart.js'
import { limitPerUser } from '../rate-guard.js'
import { FILE_ROUTES } from '../../lib/files/schemas.js'
import { pageOf } from '../../lib/schema/pagination.js'

type IdParams = { Params: { id: string } }

/** The `file` part of an upload request; 400 for a body that is not well-formed multipart. */
async function filePart (request: FastifyRequest, maxBytes: number): Promise<MultipartFile> {
  if (!request.isMultipart()) throw invalidPayload('Send multipart/form-data with a "file" part')
  let part: MultipartFile | undefined
  try {
    part = await request.file({ limits: { fileSize: maxBytes } })
  } catch {
    throw invalidPayload('Malformed multipart body')
  }
  if (part === undefined) throw invalidPayload('Missing "file" part', [{ field: 'file', message: 'is required' }])
  if (part.fieldname !== 'file') {
    // Let busboy read past the unwanted part so the request body is consumed.
    part.file.resume()
    throw invalidPayload(`Unexpected file part '${part.fieldname.slice(0, 100)}'`, [{ field: 'file', message: 'is required' }])
  }
  return part
}

/**
 * Streams the part into storage. A file over `MAX_FILE_SIZE` arrives truncated (busboy stops
 * passing bytes on and discards the rest): its partial copy is removed and the request is a 413.
 * A broken multipart stream is the client's fault (400); a failing disk is ours (500).
 */
async function store (storage: FileStorage, key: string, part: MultipartFile, tooLarge: () => Error): Promise<number> {
  // The source may already have failed (busboy destroys it when the body ends early) before we
  // see it; any error it carries before storage touched it is the client's.
  let clientError: unknown = part.file.errored ?? null
  part.file.once('error', (err) => { clientError = err })
  let size: number
  try {
    size = await storage.save(key, part.file)
  } catch (err) {
    if (clientError !== null) throw invalidPayload('Upload interrupted or malformed')
    // Storage failed (maybe before reading anything): drain the rest so the request can end.
    part.file.resume()
    throw err
  }
  if (part.file.truncated) {
    await storage.remove(key)
    throw tooLarge()
  }
  return size
}

/** Upload limits: `MAX_FILE_SIZE` per file, `APP_STORAGE_QUOTA` per app (0: none). */
interface UploadLimits { maxFileSize: number, quota: number }

/**
 * Stores the request's file and records it; the answer shows `{id, filename, size, mime_type,
 * created_at}`. A platform user's id is not an app user's, so its uploads have no `uploaded_by`.
 * The app's quota counts its existing files: the part is cut off at what is left of it, and the
 * insert re-checks under a lock (parallel uploads); beyond it, 413 and nothing is kept.
 */
async function upload (storage: FileStorage, request: FastifyRequest, limits: UploadLimits): Promise<Omit<FileRecord, 'uploaded_by'>> {
  const app = request.appCtx as AppContext
  const left = limits.quota === 0 ? Infinity : limits.quota - await usedBytes(app.sql)
  const part = await filePart(request, Math.max(1, Math.min(limits.maxFileSize, left)))
  if (left <= 0) {
    part.file.resume()
    throw quotaExceeded(limits.quota)
  }
  const id = randomUUID()
  const key = fileKey(app.name, id)
  const size = await store(storage, key, part, () => left < limits.maxFileSize ? quotaExceeded(limits.quota) : payloadTooLarge('File is too large'))
  try {
    const { uploaded_by: _by, ...shown } = await insertFileWithinQuota(app.sql, {
      id,
      filename: sanitizeFilename(part.filename),
      storage_path: key,
      mime_type: normalizeMimeType(part.mimetype),
      size,
      uploaded_by: request.user.platform === true ? null : request.user.id
    }, limits.quota)
    return shown
  } catch (err) {
    await storage.remove(key)
    throw err
  }
}

/**
 * `/api/:app/_files`: upload and download for every authenticated user of the app; listing and
 * deleting for admins. Bytes go through `platform.files` (streamed both ways), facts to `_files`.
 */
export default async function fileRoutes (fastify: FastifyInstance): Promise<void> {
  const storage = fastify.platform.files
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext
  const admin = { onRequest: fastify.requireAdmin }

  const { config } = fastify.platform
  const limits = { maxFileSize: config.maxFileSize, quota: config.appStorageQuota }
  await fastify.register(multipart, { maxFileSize: config.maxFileSize })

  // `url` is the path that serves the file (docs/ARCHITECTURE.md, Files).
  fastify.post('/upload', async (request, reply) => {
    const app = appOf(request)
    await limitPerUser(fastify, reply, { what: 'uploads', app: app.name, user: request.user.id, maxPerMinute: config.uploadsMaxPerMinute })
    const file = await upload(storage, request, limits)
    return await reply.code(201).send({ data: { ...file, url: `/api/${app.name}/_files/${file.id}` } })
  })

  fastify.get<IdParams>('/:id', { schema: FILE_ROUTES.download }, async (request, reply) => {
    const file = await getFile(appOf(request).sql, request.params.id)
    const stream = file === null ? null : await storage.open(file.storage_path)
    if (file === null || stream === null) {
      if (file !== null) request.log.warn({ file: file.id }, 'file row without stored content')
      throw notFound(`File '${request.params.id}' not found`)
    }
    return await reply
      .type(file.mime_type)
      .header('content-length', file.size)
      .header('content-disposition', contentDisposition(file.filename, file.mime_type))
      .header('cache-control', 'private, max-age=3600')
      .send(stream)
  })

  fastify.get<{ Querystring: { page?: number, per_page?: number } }>('/', { ...admin, schema: FILE_ROUTES.list }, async (request) => {
    const q = pageOf(request.query)
    const { rows, total } = await listFiles(appOf(request).sql, q)
    return { data: rows, meta: { page: q.page, per_page: q.perPage, total } }
  })

  fastify.delete<IdParams>('/:id', { ...admin, schema: FILE_ROUTES.remove }, async (request) => {
    const file = await deleteFile(appOf(request).sql, request.params.id)
    if (file === null) throw notFound(`File '${request.params.id}' not found`)
    // The row is gone, so the file is unreachable: a failure here only leaves disk space behind.
    await storage.remove(file.storage_path).catch((err: unknown) => { request.log.warn({ err, file: file.id }, 'removing file content failed') })
    return { data: { id: file.id } }
  })
}
