import type { FastifyInstance, FastifyRequest } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { invalidPayload } from '../../../lib/errors.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'
import { exportDocument } from '../../../lib/schema-io/export.js'
import { importDocument, metadataChanged, reportBody } from '../../../lib/schema-io/import.js'
import { sampleDataHooks } from '../../../lib/schema-io/sample-data.js'

/** `?include_data=true|false`, nothing else. */
function includeData (query: unknown): boolean {
  const q = (query ?? {}) as Record<string, unknown>
  for (const key of Object.keys(q)) {
    if (key !== 'include_data') throw invalidPayload(`Unknown query parameter '${key.slice(0, 100)}' (allowed: include_data)`, [{ field: key, rule: 'unknown', message: 'unknown query parameter' }])
  }
  const v = q.include_data
  if (v === undefined || v === 'false') return false
  if (v === 'true') return true
  throw invalidPayload('include_data must be true or false', [{ field: 'include_data', rule: 'type', message: 'must be true or false' }])
}

/**
 * `GET /_admin/export` (the schema as one document, `{data: document}`; `?include_data=true`
 * adds `sample_data`) and `POST /_admin/import` (the document, bare or in its `{data}` envelope;
 * answers 200 with what was created / updated / skipped / failed per kind).
 */
export default async function schemaIoRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get('/export', async (request) => ({ data: await exportDocument(appOf(request), { includeData: includeData(request.query) }) }))

  fastify.post('/import', async (request) => {
    const app = appOf(request)
    const report = await importDocument(app, request.body, {
      user: request.user,
      // Sample rows are existing data, not business events: no state machine, rules, webhooks or workflows.
      hooks: sampleDataHooks(fastify.platform.engine.writeHooks),
      onError: (err, where) => { request.log.error({ err, where }, 'import: unexpected error') }
    })
    if (metadataChanged(report)) await announceMetadataChange(fastify.platform, app.name)
    return { data: reportBody(report) }
  })
}
