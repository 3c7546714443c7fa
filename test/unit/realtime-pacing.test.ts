import t from 'tap'
import { batchWindow, type FeedPacing } from '../../lib/realtime/feed.js'

const pacing = (subscribers: number, batchMs = 20, writesPerSecond = 10_000): FeedPacing => ({ batchMs, writesPerSecond, subscribers: () => subscribers })

t.test('few subscribers: the batch window is REALTIME_BATCH_MS', async (t) => {
  t.equal(batchWindow(pacing(1), 0), 20)
  t.equal(batchWindow(pacing(200), 0), 20)
  t.equal(batchWindow(pacing(0, 0), 0), 0, 'REALTIME_BATCH_MS=0 and no subscribers: read at once')
})

t.test('many subscribers: the window keeps the process within its socket-write budget', async (t) => {
  t.equal(batchWindow(pacing(1000), 0), 100, '1,000 streams at 10,000 writes/s: one batch per 100 ms')
  t.equal(batchWindow(pacing(5000), 0), 500)
  t.equal(batchWindow(pacing(1000, 20, 5000), 0), 200, 'a smaller budget, longer windows')
  for (const n of [300, 1000, 4000]) {
    const writesPerSecond = n * (1000 / batchWindow(pacing(n), 0))
    t.ok(writesPerSecond <= 10_000 + 1e-6, `${n} subscribers: ${writesPerSecond} writes/s`)
  }
})

t.test('a slow fan-out stretches the window to 8 × its CPU time', async (t) => {
  t.equal(batchWindow(pacing(10), 5), 40)
  t.equal(batchWindow(pacing(1000), 20), 160, 'whichever is longest wins')
})
