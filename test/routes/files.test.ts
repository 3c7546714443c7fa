import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import type { FastifyInstance } from 'fastify'
import t from 'tap'
import { build, createTestApp, expectError, type TestApp } from '../helper.js'

const BOUNDARY = '----rocket-test-boundary'
const MULTIPART = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }
// A small MAX_FILE_SIZE keeps the over-the-limit upload cheap (the same for every build call of the file).
const CONFIG = { maxFileSize: 256 * 1024 }

interface Part {
  name: string
  filename?: string
  type?: string
  content: string | Buffer
}

/** A multipart/form-data body built by hand (what a browser's FormData sends). */
function multipart (parts: Part[]): Buffer {
  const chunks: Buffer[] = []
  for (const p of parts) {
    let head = `--${BOUNDARY}\r\nContent-Disposition: form-data; name="${p.name}"`
    if (p.filename !== undefined) head += `; filename="${p.filename}"\r\nContent-Type: ${p.type ?? 'application/octet-stream'}`
    chunks.push(Buffer.from(`${head}\r\n\r\n`), Buffer.from(p.content), Buffer.from('\r\n'))
  }
  chunks.push(Buffer.from(`--${BOUNDARY}--\r\n`))
  return Buffer.concat(chunks)
}

async function upload (a: TestApp, token: string, part: Omit<Part, 'name'> & { name?: string }): Promise<Record<string, unknown> & { id: string }> {
  const res = await a.as(token, { method: 'POST', url: '/_files/upload', headers: MULTIPART, payload: multipart([{ name: 'file', ...part }]) })
  if (res.statusCode !== 201) throw new Error(`upload failed: ${res.statusCode} ${res.body}`)
  return res.json().data
}

/** A token of an app user without the admin role. */
async function userToken (a: TestApp, email: string): Promise<string> {
  const created = await a.as(a.admin, { method: 'POST', url: '/_admin/users', payload: { email, password: 'password-123', roles: ['staff'] } })
  if (created.statusCode !== 201) throw new Error(created.body)
  const login = await a.as(null, { method: 'POST', url: '/auth/login', payload: { email, password: 'password-123' } })
  return login.json().data.access_token
}

function appDir (app: FastifyInstance, a: TestApp): string {
  return join(app.platform.config.storagePath, a.name)
}

t.test('upload, download, list and delete', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app)
  const staff = await userToken(a, 'staff@files.test')

  const res = await a.as(staff, { method: 'POST', url: '/_files/upload', headers: MULTIPART, payload: multipart([{ name: 'note', content: 'ignored' }, { name: 'file', filename: 'hello.txt', type: 'text/plain', content: 'hello world' }]) })
  t.equal(res.statusCode, 201, res.body)
  const file = res.json().data
  t.same(Object.keys(file).sort(), ['created_at', 'filename', 'id', 'mime_type', 'size', 'url'])
  t.match(file, { filename: 'hello.txt', size: 11, mime_type: 'text/plain', url: `/api/${a.name}/_files/${String(file.id)}` })
  const byUrl = await app.inject({ url: file.url, headers: { authorization: `Bearer ${staff}` } })
  t.equal(byUrl.body, 'hello world', 'the url serves the file')
  t.ok(existsSync(join(appDir(app, a), file.id)), 'stored under <storage>/<app>/<id>')

  const got = await a.as(staff, { url: `/_files/${String(file.id)}` })
  t.equal(got.statusCode, 200)
  t.equal(got.body, 'hello world')
  t.match(got.headers['content-type'], /^text\/plain/)
  t.equal(got.headers['content-length'], '11')
  t.equal(got.headers['content-disposition'], 'inline; filename="hello.txt"; filename*=UTF-8\'\'hello.txt')
  t.equal(got.headers['x-content-type-options'], 'nosniff')

  const odd = await upload(a, a.admin, { filename: "résumé final (1)'s.pdf", type: 'application/pdf', content: Buffer.from([0, 1, 2, 255]) })
  const oddGot = await a.as(a.admin, { url: `/_files/${odd.id}` })
  t.same(oddGot.rawPayload, Buffer.from([0, 1, 2, 255]), 'binary content intact')
  t.equal(oddGot.headers['content-disposition'], 'inline; filename="r_sum_ final (1)\'s.pdf"; filename*=UTF-8\'\'r%C3%A9sum%C3%A9%20final%20%281%29%27s.pdf')

  const svg = await upload(a, a.admin, { filename: 'x.svg', type: 'image/svg+xml', content: '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>' })
  t.match((await a.as(staff, { url: `/_files/${svg.id}` })).headers['content-disposition'], /^attachment;/, 'active content is downloaded, not rendered')
  const weird = await upload(a, a.admin, { filename: '../../etc/passwd', type: 'not a type', content: 'x' })
  t.match(weird, { filename: 'passwd', mime_type: 'application/octet-stream' })

  expectError(t, await a.as(staff, { url: '/_files' }), 403, 'FORBIDDEN')
  expectError(t, await a.as(staff, { method: 'DELETE', url: `/_files/${String(file.id)}` }), 403, 'FORBIDDEN')
  const list = await a.as(a.admin, { url: '/_files?per_page=2' })
  t.equal(list.statusCode, 200, list.body)
  t.same(list.json().meta, { page: 1, per_page: 2, total: 4 })
  t.equal(list.json().data.length, 2)
  t.notOk('storage_path' in list.json().data[0], 'storage key stays internal')
  expectError(t, await a.as(a.admin, { url: '/_files?sort=x' }), 400, 'INVALID_PAYLOAD')

  const del = await a.as(a.admin, { method: 'DELETE', url: `/_files/${String(file.id)}` })
  t.same(del.json(), { data: { id: file.id } })
  t.notOk(existsSync(join(appDir(app, a), file.id)), 'content removed')
  expectError(t, await a.as(staff, { url: `/_files/${String(file.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(a.admin, { method: 'DELETE', url: `/_files/${String(file.id)}` }), 404, 'NOT_FOUND')
  expectError(t, await a.as(staff, { url: '/_files/not-a-uuid' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(staff, { url: '/_files/4c6b7a2e-2f0a-4a43-9d4e-1f2a3b4c5d6e' }), 404, 'NOT_FOUND')
  expectError(t, await a.as(null, { url: `/_files/${odd.id}` }), 401, 'UNAUTHORIZED')
})

t.test('upload errors', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app)
  const post = async (payload: string | Buffer | object, headers?: Record<string, string>): Promise<Awaited<ReturnType<TestApp['as']>>> =>
    await a.as(a.admin, { method: 'POST', url: '/_files/upload', payload, ...(headers !== undefined ? { headers } : {}) })

  expectError(t, await post({ file: 'x' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await post('plain', { 'content-type': 'text/plain' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await post(multipart([{ name: 'note', content: 'no file here' }]), MULTIPART), 400, 'INVALID_PAYLOAD')
  expectError(t, await post(multipart([{ name: 'other', filename: 'a.txt', content: 'x' }]), MULTIPART), 400, 'INVALID_PAYLOAD')
  expectError(t, await post('garbage', { 'content-type': 'multipart/form-data' }), 400, 'INVALID_PAYLOAD')
  expectError(t, await post(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.txt"\r\n\r\ncut short`, MULTIPART), 400, 'INVALID_PAYLOAD')
  expectError(t, await a.as(null, { method: 'POST', url: '/_files/upload', headers: MULTIPART, payload: multipart([{ name: 'file', filename: 'a', content: 'x' }]) }), 401, 'UNAUTHORIZED')

  const max = app.platform.config.maxFileSize
  const exact = await post(multipart([{ name: 'file', filename: 'max.bin', content: Buffer.alloc(max, 1) }]), MULTIPART)
  t.equal(exact.statusCode, 201, 'a file of exactly MAX_FILE_SIZE is accepted')
  t.equal(exact.json().data.size, max)
  const big = await post(multipart([{ name: 'file', filename: 'big.bin', content: Buffer.alloc(max + 1, 1) }]), MULTIPART)
  expectError(t, big, 413, 'PAYLOAD_TOO_LARGE')
  t.same(readdirSync(appDir(app, a)), [exact.json().data.id], 'partial upload removed; nothing else stored')
  t.equal((await a.as(a.admin, { url: '/_files' })).json().meta.total, 1, 'no row for the refused upload')
})

t.test('file fields store the resolved upload', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app)
  for (const payload of [
    { name: 'doc', table: 'docs', fields: [{ name: 'id', type: 'uuid' }, { name: 'title', type: 'string' }, { name: 'attachment', type: 'file' }] },
    { name: 'page', table: 'pages', fields: [{ name: 'id', type: 'uuid' }, { name: 'doc_id', type: 'uuid' }, { name: 'scan', type: 'file' }] }
  ]) t.equal((await a.as(a.admin, { method: 'POST', url: '/_admin/entities', payload })).statusCode, 201)
  const rel = await a.as(a.admin, { method: 'POST', url: '/_admin/relations', payload: { name: 'pages', type: 'one_to_many', source: 'doc', target: 'page', source_key: 'id', target_key: 'doc_id', on_delete: 'cascade' } })
  t.equal(rel.statusCode, 201, rel.body)
  const f = await upload(a, a.admin, { filename: 'report.pdf', type: 'application/pdf', content: '%PDF-1.4' })
  const expected = { id: f.id, filename: 'report.pdf', size: 8, mime_type: 'application/pdf' }

  const created = await a.as(a.admin, { method: 'POST', url: '/doc', payload: { title: 'A', attachment: f.id, pages: { data: [{ scan: { id: f.id } }] } } })
  t.equal(created.statusCode, 201, created.body)
  t.same(created.json().data.attachment, expected)
  t.same(created.json().data.pages[0].scan, expected)
  const forged = await a.as(a.admin, { method: 'POST', url: '/doc', payload: { attachment: { id: f.id, filename: 'evil.exe', size: 1 } } })
  t.same(forged.json().data.attachment, expected, 'stored facts come from _files, not the payload')
  t.same((await a.as(a.admin, { url: `/doc/${String(created.json().data.id)}` })).json().data.attachment, expected)

  const unknown = '4c6b7a2e-2f0a-4a43-9d4e-1f2a3b4c5d6e'
  const bad = await a.as(a.admin, { method: 'POST', url: '/doc', payload: { attachment: unknown } })
  expectError(t, bad, 422, 'VALIDATION_FAILED')
  t.equal(bad.json().error.details[0].field, 'attachment')
  const nested = await a.as(a.admin, { method: 'POST', url: '/doc', payload: { title: 'B', pages: { data: [{ scan: f.id }, { scan: unknown }] } } })
  expectError(t, nested, 422, 'VALIDATION_FAILED')
  t.equal(nested.json().error.details[0].field, 'pages[1].scan')
  const upd = await a.as(a.admin, { method: 'PUT', url: `/doc/${String(created.json().data.id)}`, payload: { attachment: unknown } })
  expectError(t, upd, 422, 'VALIDATION_FAILED')
  const cleared = await a.as(a.admin, { method: 'PUT', url: `/doc/${String(created.json().data.id)}`, payload: { attachment: null } })
  t.equal(cleared.json().data.attachment, null)
  expectError(t, await a.as(a.admin, { method: 'POST', url: '/doc', payload: { attachment: 'not-a-uuid' } }), 422, 'VALIDATION_FAILED')
  const asForm = await a.as(a.admin, { method: 'POST', url: '/doc', headers: MULTIPART, payload: multipart([{ name: 'title', content: 'x' }]) })
  expectError(t, asForm, 400, 'INVALID_PAYLOAD')
})

t.test('deleting an app removes its files', async (t) => {
  const app = await build(t, CONFIG)
  const a = await createTestApp(app)
  await upload(a, a.admin, { filename: 'a.txt', content: 'a' })
  t.ok(existsSync(appDir(app, a)))
  const res = await app.inject({ method: 'DELETE', url: `/api/_platform/apps/${a.name}`, headers: { authorization: `Bearer ${a.platform}` } })
  t.equal(res.statusCode, 200, res.body)
  t.notOk(existsSync(appDir(app, a)), 'app folder removed')
})
