import SwaggerParser from '@apidevtools/swagger-parser'
import { Ajv2020 } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import t, { type Test as Tap } from 'tap'
import { openApiJson } from '../../lib/openapi/document.js'
import { FILTER_OPS } from '../../lib/query/index.js'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'
import { ALL_TYPES, deref, fetchDocument, installSchema, loadExamples, type Json, type Schema } from './openapi-sample.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void
type Op = Json & { operationId: string, parameters?: Json[], responses: Json, requestBody?: Json, security?: unknown[] }

function op (doc: Json, path: string, method: string): Op {
  const item = (doc.paths as Record<string, Record<string, Op>>)[path]
  if (item?.[method] === undefined) throw new Error(`${method} ${path} is not documented`)
  return item[method]
}

/** Validates with a real OpenAPI 3.1 validator, then compiles every component schema as strict JSON Schema 2020-12. */
async function validateDocument (t: Tap, doc: Json): Promise<void> {
  await t.resolves(SwaggerParser.validate(structuredClone(doc) as unknown as Parameters<typeof SwaggerParser.validate>[0]), 'valid OpenAPI 3.1')
  // strictRequired flags the idiomatic `anyOf: [{required: [...]}, ...]` of nested items; the rest stays strict.
  const ajv = new Ajv2020({ strict: true, strictRequired: false, allowUnionTypes: true })
  addFormats(ajv)
  ajv.addFormat('password', true)
  ajv.addKeyword('x-rocket-references')
  ajv.addKeyword('x-rocket-relation')
  const schemas = (doc.components as Json).schemas as Record<string, Schema>
  for (const [name, schema] of Object.entries(schemas)) {
    ajv.addSchema(JSON.parse(JSON.stringify(schema).replaceAll('"#/components/schemas/', '"schema:')) as Schema, `schema:${name}`)
  }
  for (const name of Object.keys(schemas)) t.doesNotThrow(() => ajv.getSchema(`schema:${name}`), `${name} is strict JSON Schema 2020-12`)
  const ids = Object.values(doc.paths as Record<string, Record<string, Op>>).flatMap((item) => Object.values(item).map((o) => o.operationId))
  t.equal(new Set(ids).size, ids.length, 'operationIds are unique')
}

function paramNames (o: Op): string[] {
  return (o.parameters ?? []).map((p) => p.name as string)
}

/** A query value of the right type for each field of the all-types fixture. */
const SAMPLE_VALUE: Record<string, string> = {
  id: '7b0ad8f5-4f3a-4c6e-9a39-2f1c6a1c0b11',
  name: 'x',
  slug: 'x',
  description: 'x',
  stock: '1',
  views: '1',
  price: '1.5',
  active: 'true',
  external_id: '7b0ad8f5-4f3a-4c6e-9a39-2f1c6a1c0b11',
  released_at: '2024-01-01T00:00:00Z',
  launch_date: '2024-01-01',
  attributes: 'x',
  manual: 'x',
  status: 'draft',
  category_id: '7b0ad8f5-4f3a-4c6e-9a39-2f1c6a1c0b11',
  created_at: '2024-01-01T00:00:00Z',
  updated_at: '2024-01-01T00:00:00Z',
  deleted_at: '2024-01-01T00:00:00Z'
}

/** Record, create, update and nested-write components of the all-types fixture. */
function checkComponents (t: Tap, schemas: Record<string, Schema>): void {
  const product = schemas.Product as Json
  const props = product.properties as Record<string, Json>
  t.same(props.created_at?.readOnly, true, 'auto fields are readOnly')
  t.same([...props.price?.type as string[]].sort(), ['null', 'string'], 'decimal is returned as a string')
  t.same(props.tags, { type: 'array', items: { $ref: '#/components/schemas/Tag' }, description: props.tags?.description }, 'included many_to_many')
  t.same((props.detail?.anyOf as Json[])[0], { $ref: '#/components/schemas/ProductDetail' }, 'included has_one')
  t.same((props.category?.anyOf as Json[])[0], { $ref: '#/components/schemas/Category' }, 'included belongs_to (inverse)')
  const create = schemas.ProductCreate as Json
  t.same(create.required, ['name', 'price', 'category_id'])
  t.notOk((create.properties as Json).created_at, 'auto fields are not writable')
  const status = (create.properties as Record<string, Json>).status as Json
  t.same(status.enum ?? ((status.anyOf as Json[])[0] as Json).enum, ['draft', 'live', 'retired'], 'enum (null allowed beside it)')
  t.same((create.properties as Record<string, Json>).status?.default, 'draft')
  t.same((create.properties as Record<string, Json>).category_id?.['x-rocket-references'], { entity: 'category', field: 'id', relation: 'products', unique: false })
  t.same((create.properties as Json).tags, { $ref: '#/components/schemas/ProductTagsWrite' })
  t.equal(create.additionalProperties, false)
  t.notOk(((schemas.ProductUpdate as Json).required as unknown[] | undefined)?.length, 'updates are partial')

  const tagsWrite = schemas.ProductTagsWrite as Json
  const wrapper = (tagsWrite.anyOf as Json[]).find((b) => b.type === 'object') as Json
  t.same(((wrapper.properties as Json)._write_mode as Json).enum, ['diff', 'replace', 'append'], 'nested payload takes _write_mode')
  const productsWrite = schemas.CategoryProductsWrite as Json
  const item = ((productsWrite.anyOf as Json[])[0] as Json).items as Json
  t.same((item.anyOf as Json[])[0], { required: ['name', 'price'] }, 'a nested child needs its required fields except the propagated FK')
  t.ok((item.properties as Json)._delete, 'children can be deleted by key')
  t.ok((item.properties as Json).detail, 'nested items take their own relations (depth > 1)')
  t.notOk((item.properties as Json).category, '... except the one leading back to the parent')
}

/** List parameters, and the server refusing every operator the document leaves out. */
async function checkListParameters (t: Tap, doc: Json, a: TestApp): Promise<void> {
  const list = op(doc, '/product', 'get')
  const names = paramNames(list)
  for (const p of ['filter[name]', 'filter[name.eq]', 'filter[name.like]', 'filter[name.ilike]', 'filter[stock.gte]', 'filter[price.lt]', 'filter[active.neq]',
    'filter[attributes.is_null]', 'filter[manual.is_null]', 'filter[released_at.gt]', 'filter[status.in]', 'sort', 'page', 'per_page', 'include']) t.ok(names.includes(p), `documents ${p}`)
  for (const p of ['filter[active.gt]', 'filter[stock.like]', 'filter[attributes]', 'filter[manual.eq]', 'filter[attributes.in]']) t.notOk(names.includes(p), `does not document ${p}`)
  const param = (n: string): Json => (list.parameters ?? []).find((p) => p.name === n) as Json
  t.same([param('filter[status.in]').style, param('filter[status.in]').explode], ['form', false], 'lists are comma-separated')
  t.same(((param('include').schema as Json).items as Json).enum, ['category', 'detail', 'tags'], 'include takes the relation names')
  t.equal((param('per_page').schema as Json).maximum, 100)
  const sortable = ((param('sort').schema as Json).items as Json).enum as string[]
  t.ok(sortable.includes('-price') && !sortable.includes('attributes'), 'json/file fields are not sortable')

  // The converse of the contract test: every operator the document leaves out is refused.
  for (const field of Object.keys(SAMPLE_VALUE)) {
    for (const o of FILTER_OPS) {
      const name = `filter[${field}.${o}]`
      if (names.includes(name)) continue
      const value = o === 'is_null' ? 'true' : SAMPLE_VALUE[field] as string
      const res = await a.as(a.admin, { url: `/product?${encodeURIComponent(name)}=${encodeURIComponent(value)}` })
      t.equal(res.statusCode, 400, `${name} is undocumented and refused`)
    }
  }
}

/** Path parameters, error responses, security and the auth/admin routes. */
function checkResponsesAndRoutes (t: Tap, doc: Json): void {
  const schemas = (doc.components as Json).schemas as Record<string, Schema>
  t.same(paramNames(op(doc, '/tag/{id}', 'get'))[0], 'id')
  t.same((op(doc, '/tag/{id}', 'get').parameters?.[0]?.schema as Json).type, 'integer', 'int primary key')
  t.same((op(doc, '/product/{id}', 'get').parameters?.[0]?.schema as Json).type, 'string', 'id or slug')
  const created = op(doc, '/product', 'post').responses
  t.same(Object.keys(created).sort(), ['201', '400', '401', '403', '404', '409', '413', '422', '500'])
  t.same(created['422'], { $ref: '#/components/responses/ValidationFailed' })
  const responses = (doc.components as Json).responses as Record<string, Json>
  for (const r of ['BadRequest', 'Unauthorized', 'Forbidden', 'NotFound', 'Conflict', 'PayloadTooLarge', 'ValidationFailed', 'InternalError']) {
    t.same(deref(doc, ((responses[r]?.content as Json)['application/json'] as Json).schema as Schema), schemas.Error, `${r} uses the error envelope`)
  }
  t.same((doc.components as Json).securitySchemes, {
    bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: ((((doc.components as Json).securitySchemes as Json).bearerAuth as Json).description) },
    apiKeyAuth: { type: 'apiKey', in: 'header', name: 'X-API-Key', description: ((((doc.components as Json).securitySchemes as Json).apiKeyAuth as Json).description) }
  })
  t.same(doc.security, [{ bearerAuth: [] }, { apiKeyAuth: [] }])
  const authPaths = Object.keys(doc.paths as Json).filter((p) => p.startsWith('/auth/'))
  t.ok(['/auth/login', '/auth/refresh', '/auth/logout'].every((p) => authPaths.includes(p)), 'auth routes are documented')
  // Every /auth route is public except asking for a verification mail (the signed-in user's own request).
  for (const path of authPaths.filter((p) => p !== '/auth/request-verification')) {
    for (const [method, o] of Object.entries((doc.paths as Record<string, Record<string, Op>>)[path] ?? {})) t.same(o.security, [], `${method} ${path} needs no token`)
  }
  t.equal(op(doc, '/auth/request-verification', 'post').security, undefined, 'request-verification needs a token')
  t.match(op(doc, '/_admin/api-keys', 'post'), { summary: 'Create an API key (the key is shown once)', tags: ['admin'] })
  t.same((op(doc, '/auth/login', 'post').responses['200'] as Json).content, { 'application/json': { schema: { $ref: '#/components/schemas/TokenResponse' } } })
  t.same(((op(doc, '/_admin/entities', 'post').requestBody as Json).content as Json)['application/json'], { schema: { $ref: '#/components/schemas/EntityDefinition' } })
  for (const [path, method] of [['/_admin/entities', 'get'], ['/_admin/entities/{name}', 'put'], ['/_admin/entities/{name}', 'delete'], ['/_admin/relations', 'post'], ['/_admin/relations/{name}', 'get']]) {
    t.ok(op(doc, path as string, method as string).operationId.startsWith('admin_'), `${method} ${path}`)
  }
  for (const path of Object.keys(doc.paths as Json)) t.notOk(/_docs|_openapi|^\/\{entity\}/.test(path), `${path} is a real, specific route`)
}

t.test('every field and relation type: a valid 3.1 document describing the metadata', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'openapi')
  await installSchema(a, ALL_TYPES)
  const doc = await fetchDocument(a)
  await validateDocument(t, doc)
  t.equal(doc.openapi, '3.1.0')
  t.same(doc.servers, [{ url: `/api/${a.name}` }])
  const schemas = (doc.components as Json).schemas as Record<string, Schema>
  for (const e of ['category', 'product', 'product_detail', 'tag', 'country']) {
    for (const [path, method, action] of [[`/${e}`, 'get', 'list'], [`/${e}`, 'post', 'create'], [`/${e}/{id}`, 'get', 'get'], [`/${e}/{id}`, 'put', 'update'], [`/${e}/{id}`, 'delete', 'delete']] as const) {
      t.equal(op(doc, path, method).operationId, `${action}_${e}`)
    }
  }
  for (const name of ['Product', 'ProductCreate', 'ProductUpdate', 'ProductList', 'ProductDetail', 'Tag', 'Country']) t.ok(schemas[name], `component ${name}`)

  checkComponents(t, schemas)
  await checkListParameters(t, doc, a)
  checkResponsesAndRoutes(t, doc)
})

t.test('access: the document needs a token of the app; the page and its assets are public', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'oaaccess')
  const other = await createTestApp(app, 'oaother')
  expectError(t, await a.as(null, { url: '/_openapi.json' }), 401, 'UNAUTHORIZED')
  expectError(t, await a.as(other.admin, { url: '/_openapi.json' }), 401, 'UNAUTHORIZED')
  t.equal((await a.as(a.platform, { url: '/_openapi.json' })).statusCode, 200, 'a platform token works')
  for (const url of ['/_docs', '/_docs/']) {
    const page = await a.as(null, { url })
    t.equal(page.statusCode, 200, url)
    t.match(page.headers['content-type'], /text\/html/)
    t.match(page.body, `/api/${a.name}/_docs/swagger-ui-bundle.js`)
    t.match(page.headers['content-security-policy'], /script-src 'self'/)
  }
  for (const [file, type] of [['swagger-ui.css', /text\/css/], ['swagger-ui-bundle.js', /javascript/], ['swagger-ui-standalone-preset.js', /javascript/], ['favicon-32x32.png', /image\/png/], ['rocket-docs.js', /javascript/]] as const) {
    const res = await a.as(null, { url: `/_docs/${file}` })
    t.equal(res.statusCode, 200, file)
    t.match(res.headers['content-type'], type)
  }
  for (const file of ['index.html', 'swagger-initializer.js', '..%2Fpackage.json', '%2e%2e%2f%2e%2e%2fpackage.json']) {
    expectError(t, await a.as(null, { url: `/_docs/${file}` }), 404, 'NOT_FOUND')
  }
  expectError(t, await app.inject({ url: '/api/no_such_app/_docs' }), 404, 'APP_NOT_FOUND')
})

t.test('built once per metadata version, rebuilt when metadata changes', async (t) => {
  const app = await build(t)
  const a: TestApp = await createTestApp(app, 'oacache')
  await installSchema(a, { entities: ALL_TYPES.entities.slice(0, 1), relations: [] })
  const ctx = await app.platform.apps.get(a.name)
  if (ctx === null) throw new Error('app not found')
  const input = { app: a.name, registry: ctx.registry, routes: [] }
  t.equal(openApiJson(input), openApiJson(input), 'same registry, same cached text')
  const before = await fetchDocument(a)
  t.same(await fetchDocument(a), before, 'repeated requests answer the same document')
  await installSchema(a, { entities: [ALL_TYPES.entities[4] as Json], relations: [] })
  const after = await fetchDocument(a)
  t.ok((after.paths as Json)['/country'], 'a new entity appears at once')
  t.notOk((before.paths as Json)['/country'])
  t.not((after.info as Json).version, (before.info as Json).version, 'info.version follows the metadata version')
})

for (const example of loadExamples()) {
  t.test(`example schema ${example.file}: a valid document with every entity's operations`, async (t) => {
    const app = await build(t)
    const a = await createTestApp(app, 'oaex')
    await installSchema(a, example)
    const doc = await fetchDocument(a)
    await validateDocument(t, doc)
    for (const e of example.entities) {
      const name = e.name as string
      for (const action of ['list', 'create', 'get', 'update', 'delete']) {
        const ids = Object.values(doc.paths as Record<string, Record<string, Op>>).flatMap((item) => Object.values(item).map((o) => o.operationId))
        t.ok(ids.includes(`${action}_${name}`), `${action}_${name}`)
      }
    }
  })
}
