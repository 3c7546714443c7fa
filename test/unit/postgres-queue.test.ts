import { createRequire } from 'node:module'
import path from 'node:path'
import t from 'tap'

// postgres.js keeps each pool's connections in queues (idle, busy, …). Its Queue, as published,
// made a pool that always keeps an idle connection pay O(queries so far) per query: the fix is
// patches/postgres+3.4.9.patch, applied by `patch-package` on install (docs/ARCHITECTURE.md,
// "Dependencies"). These tests fail when the patch is not applied.
const require = createRequire(import.meta.url)
type PgQueue<T> = { readonly length: number, push: (x: T) => T, shift: () => T | undefined, remove: (x: T) => T | null }
const Queue = require(path.join(path.dirname(require.resolve('postgres')), 'queue.js')) as <T>(initial?: T[]) => PgQueue<T>

t.test('first in, first out; remove takes a live element once', async (t) => {
  const q = Queue<string>(['a', 'b'])
  q.push('c')
  t.equal(q.length, 3)
  t.equal(q.shift(), 'a')
  t.equal(q.remove('a'), null, 'a shifted element is not there any more')
  t.equal(q.remove('c'), 'c')
  t.equal(q.remove('c'), null)
  t.equal(q.length, 1)
  t.equal(q.shift(), 'b')
  t.equal(q.length, 0)
  t.equal(q.shift(), undefined)
})

t.test('a queue that never empties costs the same per operation after 300 000 of them', async (t) => {
  const idle = Queue<{ id: number }>()
  for (let id = 0; id < 3; id++) idle.push({ id })
  const started = process.hrtime.bigint()
  // What the pool does per query while two connections stay idle: take one, move it, give it back.
  for (let n = 0; n < 300_000; n++) {
    const c = idle.shift() as { id: number }
    idle.remove(c)
    idle.push(c)
  }
  const ms = Number(process.hrtime.bigint() - started) / 1e6
  t.equal(idle.length, 3)
  // Unpatched: ~20 s on this machine (a linear scan per operation); patched: ~20 ms.
  t.ok(ms < 2000, `300 000 cycles in ${ms.toFixed(0)} ms`)
  const order = [idle.shift(), idle.shift(), idle.shift()].map((c) => c?.id)
  t.same(order.slice().sort(), [0, 1, 2], 'every element still there once')
})
