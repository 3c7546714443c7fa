// Docs-behaviour contract: every entity operation in the OpenAPI document, called with a request
// generated from the document alone, succeeds, and its response matches the documented schema.
import { randomBytes } from 'node:crypto'
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormatsModule from 'ajv-formats'
import t, { type Test as Tap } from 'tap'
import { build, createTestApp, type TestApp } from '../helper.js'
import { ALL_TYPES, deref, fetchDocument, installSchema, loadExamples, SampleGenerator, type Json, type Reference, type Schema } from './openapi-sample.js'

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void

interface Operation { path: string, method: string, op: Json }

function operations (doc: Json): Map<string, Operation> {
  const out = new Map<string, Operation>()
  for (const [path, item] of Object.entries(doc.paths as Record<string, Record<string, Json>>)) {
    for (const [method, op] of Object.entries(item)) out.set(op.operationId as string, { path, method, op })
  }
  return out
}

/** Validates bodies against schemas of the document (its local `$ref`s resolved through Ajv). */
function responseChecker (doc: Json): (schema: Schema) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true })
  addFormats(ajv)
  ajv.addSchema({ $id: 'openapi.json', components: doc.components } as Json)
  const rewrite = (s: Schema): Schema => JSON.parse(JSON.stringify(s).replaceAll('"#/components/', '"openapi.json#/components/')) as Schema
  return (schema) => ajv.compile(rewrite(schema))
}

function pointer (body: Json, expression: string): unknown {
  const path = expression.replace('$response.body#/', '').split('/')
  let node: unknown = body
  for (const part of path) node = (node as Json)[part]
  return node
}

function queryString (params: Array<[string, unknown]>): string {
  return params.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(Array.isArray(v) ? v.join(',') : String(v))}`).join('&')
}

/** Runs the five operations of every entity of an app as its document describes them. */
class ContractRunner {
  private readonly ops: Map<string, Operation>
  private readonly gen: SampleGenerator
  private readonly check: (schema: Schema) => ValidateFunction
  private readonly pool = new Map<string, Json>()
  private readonly creating = new Set<string>()
  private fileId: string | null = null

  constructor (private readonly t: Tap, private readonly a: TestApp, private readonly doc: Json) {
    this.ops = operations(doc)
    this.check = responseChecker(doc)
    this.gen = new SampleGenerator(doc, { reference: async (ref) => await this.reference(ref), fileId: async () => await this.file() })
  }

  entities (): string[] {
    return [...this.ops.keys()].filter((id) => id.startsWith('create_')).map((id) => id.slice('create_'.length))
  }

  private op (id: string): Operation {
    const o = this.ops.get(id)
    if (o === undefined) throw new Error(`operation ${id} is not documented`)
    return o
  }

  private expect (res: { statusCode: number, body: string, json: () => unknown }, o: Operation, status: number): Json {
    const label = `${o.method.toUpperCase()} ${o.path} (${String(o.op.operationId)})`
    this.t.equal(res.statusCode, status, `${label}: ${res.body.slice(0, 400)}`)
    const response = deref(this.doc, (o.op.responses as Json)[String(status)] as Schema)
    const schema = ((response.content as Json)['application/json'] as Json).schema as Schema
    const validate = this.check(schema)
    const body = res.json() as Json
    this.t.ok(validate(body), `${label} matches its response schema ${JSON.stringify(validate.errors?.slice(0, 3))}`)
    return body
  }

  private async reference (ref: Reference): Promise<unknown> {
    const record = ref.unique ? await this.create(ref.entity) : this.pool.get(ref.entity) ?? await this.create(ref.entity)
    return record[ref.field]
  }

  /** An uploaded file's id when the server has uploads, else any uuid (the default resolver keeps it). */
  private async file (): Promise<string> {
    if (this.fileId !== null) return this.fileId
    if ((this.doc.paths as Json)['/_files/upload'] === undefined) return (this.fileId = crypto.randomUUID())
    const boundary = `rocket${randomBytes(8).toString('hex')}`
    const payload = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="manual.txt"\r\nContent-Type: text/plain\r\n\r\nhello\r\n--${boundary}--\r\n`
    const res = await this.a.as(this.a.admin, { method: 'POST', url: '/_files/upload', payload, headers: { 'content-type': `multipart/form-data; boundary=${boundary}` } })
    this.fileId = (res.json() as { data: { id: string } }).data.id
    return this.fileId
  }

  private url (o: Operation, id?: unknown, query = ''): string {
    const path = id === undefined ? o.path : o.path.replace('{id}', encodeURIComponent(String(id)))
    return query === '' ? path : `${path}?${query}`
  }

  /** POST a generated record (optionally with nested writes of the named relations); returns `data`. */
  async create (entity: string, relations: string[] = []): Promise<Json> {
    if (this.creating.has(entity) && relations.length === 0) throw new Error(`required references loop through ${entity}`)
    this.creating.add(entity)
    try {
      const o = this.op(`create_${entity}`)
      const body = (o.op.requestBody as Json).content as Json
      const payload = await this.gen.object((body['application/json'] as Json).schema as Schema, { relations })
      const res = await this.a.as(this.a.admin, { method: 'POST', url: this.url(o), payload })
      const data = this.expect(res, o, 201).data as Json
      if (!this.pool.has(entity) && relations.length === 0) this.pool.set(entity, data)
      return data
    } finally {
      this.creating.delete(entity)
    }
  }

  /** The created record's `{id}` for the follow-up operations, as the create response's links say. */
  private idOf (entity: string, data: Json): unknown {
    const created = deref(this.doc, ((this.op(`create_${entity}`).op.responses as Json)['201']) as Schema)
    const link = (created.links as Record<string, { parameters: { id: string } }>).get
    return pointer({ data }, link?.parameters.id ?? '')
  }

  async list (entity: string): Promise<void> {
    const o = this.op(`list_${entity}`)
    const params: Array<[string, unknown]> = []
    // cursor and paginate switch to keyset mode, which takes a server-issued cursor and no page.
    for (const p of (o.op.parameters ?? []) as Json[]) if (p.name !== 'cursor' && p.name !== 'paginate') params.push([p.name as string, await this.gen.value(p.schema as Schema)])
    // Every documented parameter at once: all must be accepted (the filters AND to few rows).
    this.expect(await this.a.as(this.a.admin, { url: this.url(o, undefined, queryString(params)) }), o, 200)
    const include = ((o.op.parameters ?? []) as Json[]).find((p) => p.name === 'include')
    const all = include === undefined ? '' : `include=${String((((include.schema as Json).items as Json).enum as string[]).join(','))}`
    const body = this.expect(await this.a.as(this.a.admin, { url: this.url(o, undefined, all) }), o, 200)
    this.t.ok((body.meta as Json).total as number >= 1, `list_${entity} sees the created records`)
  }

  async crud (entity: string): Promise<void> {
    const record = this.pool.get(entity) ?? await this.create(entity)
    const id = this.idOf(entity, record)
    await this.list(entity)
    const get = this.op(`get_${entity}`)
    const include = ((get.op.parameters as Json[]).find((p) => p.name === 'include')?.schema as Json | undefined)?.items as Json | undefined
    const query = include === undefined ? '' : `include=${(include.enum as string[]).join(',')}`
    this.expect(await this.a.as(this.a.admin, { url: this.url(get, id, query) }), get, 200)
    const update = this.op(`update_${entity}`)
    const schema = (((update.op.requestBody as Json).content as Json)['application/json'] as Json).schema as Schema
    const payload = await this.gen.object(schema, { relations: false })
    this.expect(await this.a.as(this.a.admin, { method: 'PUT', url: this.url(update, id), payload }), update, 200)
    const victim = await this.create(entity)
    const del = this.op(`delete_${entity}`)
    this.expect(await this.a.as(this.a.admin, { method: 'DELETE', url: this.url(del, this.idOf(entity, victim)) }), del, 200)
    const gone = await this.a.as(this.a.admin, { url: this.url(get, this.idOf(entity, victim)) })
    this.t.equal(gone.statusCode, 404, `${entity}: deleted record is gone`)
  }

  /** Creates the entity once per writable relation, with a nested payload in `{_write_mode, data}` form. */
  async nested (entity: string): Promise<void> {
    const o = this.op(`create_${entity}`)
    const schema = deref(this.doc, (((o.op.requestBody as Json).content as Json)['application/json'] as Json).schema as Schema)
    for (const [name, prop] of Object.entries(schema.properties as Record<string, Schema>)) {
      const relation = deref(this.doc, prop)['x-rocket-relation'] as { kind: string } | undefined
      if (relation === undefined || relation.kind === 'belongs_to') continue
      const data = await this.create(entity, [name])
      const written = data[name]
      this.t.ok(Array.isArray(written) ? written.length === 1 : written !== null && written !== undefined, `${entity}.${name}: nested ${relation.kind} write shows in the response`)
    }
  }
}

async function runContract (t: Tap, a: TestApp): Promise<void> {
  const doc = await fetchDocument(a)
  const runner = new ContractRunner(t, a, doc)
  const entities = runner.entities()
  t.ok(entities.length > 0, 'the document has entity operations')
  for (const entity of entities) await runner.crud(entity)
  for (const entity of entities) await runner.nested(entity)
}

t.test('every documented operation works as documented: all field and relation types', async (t) => {
  const app = await build(t)
  const a = await createTestApp(app, 'oacontract')
  await installSchema(a, ALL_TYPES)
  await runContract(t, a)
})

for (const example of loadExamples()) {
  t.test(`every documented operation works as documented: ${example.file}`, async (t) => {
    const app = await build(t)
    const a = await createTestApp(app, 'oaexample')
    await installSchema(a, example)
    await runContract(t, a)
  })
}
