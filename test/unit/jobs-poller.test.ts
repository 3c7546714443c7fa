import t from 'tap'
import { setTimeout as sleep } from 'node:timers/promises'
import { startPoller } from '../../lib/jobs/poller.js'

t.test('passes run one after the other; a failing pass is reported and the loop goes on', async (t) => {
  let active = 0
  let overlapped = false
  let passes = 0
  const errors: unknown[] = []
  const poller = startPoller({
    intervalMs: 5,
    pass: async () => {
      passes++
      active++
      if (active > 1) overlapped = true
      await sleep(20)
      active--
      if (passes === 1) throw new Error('first pass fails')
    },
    onError: (err) => { errors.push(err) }
  })
  while (passes < 3) await sleep(5)
  await poller.stop()
  t.notOk(overlapped, 'a pass never starts while another runs')
  t.equal(errors.length, 1)
  t.match(errors[0], { message: 'first pass fails' })
})

t.test('stop waits for the pass under way and no pass starts after it', async (t) => {
  let finished = 0
  let started = 0
  const poller = startPoller({
    intervalMs: 1,
    pass: async () => { started++; await sleep(30); finished++ },
    onError: () => {}
  })
  while (started === 0) await sleep(1)
  await poller.stop()
  t.equal(finished, started, 'the pass under way finished before stop resolved')
  await sleep(20)
  t.equal(started, finished, 'nothing started after stop')
})
