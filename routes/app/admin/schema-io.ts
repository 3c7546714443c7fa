import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from 'fastify'
import type { AppContext } from '../../../lib/apps/context.js'
import { announceMetadataChange } from '../../../lib/platform/boot.js'
import { unwrapDocument } from '../../../lib/schema-io/document.js'
import { exportDocument } from '../../../lib/schema-io/export.js'
import { importDocument, metadataChanged, reportBody } from '../../../lib/schema-io/import.js'
import { sampleDataHooks } from '../../../lib/schema-io/sample-data.js'
import { SCHEMA_IO_ROUTES } from '../../../lib/schema-io/schemas.js'

/** What the export answered (`{data: document}`) is checked as the document it holds. */
function exportEnvelopeAsDocument (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction): void {
  request.body = unwrapDocument(request.body)
  done()
}

/**
 * `GET /_admin/export` (the schema as one document, `{data: document}`; `?include_data=true`
 * adds `sample_data`) and `POST /_admin/import` (the document, bare or in its `{data}` envelope;
 * answers 200 with what was created / updated / skipped / failed per kind).
 */
export default async function schemaIoRoutes (fastify: FastifyInstance): Promise<void> {
  const appOf = (request: FastifyRequest): AppContext => request.appCtx as AppContext

  fastify.get<{ Querystring: { include_data?: boolean } }>('/export', { schema: SCHEMA_IO_ROUTES.export }, async (request) =>
    ({ data: await exportDocument(appOf(request), { includeData: request.query.include_data === true }) }))

  fastify.post('/import', { schema: SCHEMA_IO_ROUTES.import, preValidation: exportEnvelopeAsDocument }, async (request) => {
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
