import t from 'tap'
import type { AppContext } from '../../lib/apps/context.js'
import { createEngine, type EngineHost, type EngineModule, type EngineWiring } from '../../lib/engine/modules.js'
import { engineModules } from '../../lib/engine/registry-of-modules.js'
import type { Registry } from '../../lib/metadata/registry.js'
import type { SideEffect } from '../../lib/state-machines/side-effects.js'

const host = { apps: async () => [], isCurrent: () => true, instanceId: 'unit' } as unknown as EngineHost

/** A module that writes its lifecycle calls to `calls`; `fail` names the step that throws. */
function recorder (name: string, calls: string[], fail?: 'start' | 'stop'): EngineModule {
  return {
    name,
    start: () => {
      calls.push(`start ${name}`)
      if (fail === 'start') throw new Error(`${name} cannot start`)
    },
    stop: async () => {
      calls.push(`stop ${name}`)
      if (fail === 'stop') throw new Error(`${name} cannot stop`)
    }
  }
}

t.test('action handlers are collected per engine; a type claimed twice is a startup error', async (t) => {
  const seen: string[] = []
  const engine = createEngine([
    { name: 'a', actions: { ping: (e) => { seen.push(`a:${e.to}`) } } },
    { name: 'b', actions: { pong: (e) => { seen.push(`b:${e.to}`) } } }
  ])
  t.same([...engine.actions.keys()], ['ping', 'pong'])
  await engine.actions.get('pong')?.({ to: 'x' } as unknown as SideEffect)
  t.same(seen, ['b:x'])
  t.throws(() => createEngine([{ name: 'a', actions: { ping: () => {} } }, { name: 'b', actions: { ping: () => {} } }]),
    { message: "engine modules 'a' and 'b' both handle 'ping' actions" })
  t.same([...createEngine(engineModules()).actions.keys()].sort(), ['send_event', 'webhook'], 'the standard modules handle webhook and send_event')
})

t.test('load receives the whole pipeline: every module\'s write hooks and actions', async (t) => {
  let wiring: EngineWiring | null = null
  const engine = createEngine([
    { name: 'a', writeHooks: { name: 'a' }, load: async (_app, _registry, engine) => { wiring = engine } },
    { name: 'b', writeHooks: { name: 'b' }, actions: { ping: () => {} } }
  ])
  await engine.loadAll({} as AppContext, {} as Registry)
  t.same(wiring, { writeHooks: engine.writeHooks, actions: engine.actions })
  t.same(engine.writeHooks.map((h) => h.name), ['a', 'b'])
})

t.test('start runs in module order, stop in reverse; every stop runs even when one fails', async (t) => {
  const calls: string[] = []
  const engine = createEngine([recorder('events', calls), recorder('webhooks', calls, 'stop'), { name: 'quiet' }, recorder('workflows', calls)])
  await engine.start(host)
  t.same(calls, ['start events', 'start webhooks', 'start workflows'])
  calls.length = 0
  await t.rejects(engine.stop(), { message: 'webhooks cannot stop' })
  t.same(calls, ['stop workflows', 'stop webhooks', 'stop events'])
})

t.test('a module failing to start stops the ones already started, then the failure is thrown', async (t) => {
  const calls: string[] = []
  const engine = createEngine([recorder('events', calls), recorder('webhooks', calls, 'start'), recorder('workflows', calls)])
  await t.rejects(engine.start(host), { message: 'webhooks cannot start' })
  t.same(calls, ['start events', 'start webhooks', 'stop webhooks', 'stop events'])
})

t.test('the standard modules stop cleanly without having started', async (t) => {
  await createEngine(engineModules()).stop()
  t.pass('no module needs start before stop')
})
