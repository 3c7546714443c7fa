import { existsSync, readdirSync } from 'node:fs'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import t from 'tap'
import { createLocalStorage } from '../../lib/files/local-storage.js'
import { contentDisposition, normalizeMimeType, sanitizeFilename } from '../../lib/files/names.js'
import { fileKey } from '../../lib/files/storage.js'

const ID = '4c6b7a2e-2f0a-4a43-9d4e-1f2a3b4c5d6e'

t.test('local storage: save, open, remove, removeApp', async (t) => {
  const root = await mkdtemp(join(tmpdir(), 'rocket-storage-'))
  t.teardown(async () => { await rm(root, { recursive: true, force: true }) })
  const storage = createLocalStorage(root)
  const key = fileKey('shop', ID)

  t.equal(await storage.save(key, Readable.from([Buffer.from('abc'), Buffer.from('de')])), 5)
  t.equal(await readFile(join(root, 'shop', ID), 'utf8'), 'abcde')
  const stream = await storage.open(key)
  t.ok(stream)
  const chunks: Buffer[] = []
  for await (const c of stream as Readable) chunks.push(c as Buffer)
  t.equal(Buffer.concat(chunks).toString(), 'abcde')
  await t.rejects(storage.save(key, Readable.from(['again'])), { code: 'EEXIST' }, 'a key is never overwritten')

  const other = fileKey('shop', ID.replace('4c6b', 'aaaa'))
  const failing = new Readable({ read () { this.push('partial'); this.destroy(new Error('client went away')) } })
  await t.rejects(storage.save(other, failing), /client went away/)
  t.same(readdirSync(join(root, 'shop')), [ID], 'a failed save leaves nothing behind')
  t.equal(await storage.open(other), null)

  for (const bad of ['../etc/passwd', `shop/../${ID}`, '/abs', 'shop/x', `Shop/${ID}`]) {
    await t.rejects(storage.open(bad), /Invalid storage key/, bad)
  }
  await storage.remove(key)
  await storage.remove(key)
  t.equal(await storage.open(key), null)
  await t.rejects(storage.removeApp('..'), /Invalid app name/)
  await storage.removeApp('shop')
  t.notOk(existsSync(join(root, 'shop')))
})

t.test('file names and headers', async (t) => {
  t.equal(sanitizeFilename('C:\\Users\\me\\report.pdf'), 'report.pdf')
  t.equal(sanitizeFilename('../../etc/passwd'), 'passwd')
  t.equal(sanitizeFilename('a\u0000b\nc.txt'), 'abc.txt')
  t.equal(sanitizeFilename(''), 'file')
  t.equal(sanitizeFilename(undefined), 'file')
  t.equal([...sanitizeFilename('é'.repeat(300))].length, 255)
  t.equal(normalizeMimeType('Image/PNG'), 'image/png')
  t.equal(normalizeMimeType('text/html\r\nx-evil: 1'), 'application/octet-stream')
  t.equal(normalizeMimeType(undefined), 'application/octet-stream')
  t.equal(contentDisposition('a "b"\\c%.txt', 'text/plain'), 'inline; filename="a _b__c_.txt"; filename*=UTF-8\'\'a%20%22b%22%5Cc%25.txt')
  t.equal(contentDisposition('日本.png', 'image/png'), 'inline; filename="__.png"; filename*=UTF-8\'\'%E6%97%A5%E6%9C%AC.png')
  for (const type of ['text/html', 'image/svg+xml', 'application/xhtml+xml', 'application/xml', 'application/atom+xml']) {
    t.match(contentDisposition('x', type), /^attachment;/, type)
  }
})
