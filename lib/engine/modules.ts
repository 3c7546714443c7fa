import type { AppContext } from '../apps/context.js'
import type { Sql } from '../db/connection.js'
import type { Registry } from '../metadata/registry.js'
import type { ReadExtra } from '../query/types.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { UserContext } from '../apps/context.js'
import type { ActionHandler, ActionHandlers } from '../state-machines/side-effects.js'
import type { WriteHooks } from '../write/hooks.js'

/** What a request is about to do to an entity. */
export type EntityAction = 'read' | 'create' | 'update' | 'delete'

/** Where modules report background problems (engine faults, dropped events); given when they are built. */
export interface EngineLogger {
  error: (obj: unknown, msg?: string) => void
  warn: (obj: unknown, msg?: string) => void
}

export const silentLogger: EngineLogger = { error: () => {}, warn: () => {} }

/**
 * The whole pipeline, as `load` hands it to a module: work a module does on its own (a workflow
 * step's writes, a state machine's after-commit actions) goes through every module, not just its own.
 */
export interface EngineWiring {
  /** Every module's write hooks, in module order. */
  writeHooks: readonly WriteHooks[]
  /** Every module's after-commit action handlers, by action type. */
  actions: ActionHandlers
}

/** What background work needs from the server it runs in; handed to `start`. */
export interface EngineHost {
  /** The management database (the realtime NOTIFY channel). */
  sql: Sql
  /** This process, in NOTIFY payloads (it skips its own). */
  instanceId: string
  /** The apps open in this process: what background passes go over. */
  apps: () => Promise<AppContext[]>
  /** Whether this context is still the app's open one (false once the app was deleted or reopened). */
  isCurrent: (app: AppContext) => boolean
}

/**
 * A capability that plugs into the engine (rules, state machines, permissions, webhooks,
 * audit, workflows, files…). Each part is optional:
 * - `load` compiles the module's metadata for a new registry version (stored in
 *   `registry.extensions` under the module name) — run once per metadata change, never per request;
 * - `writeHooks` join the write pipeline (order = module order);
 * - `authorize` runs before any entity operation and may add row-level read conditions;
 * - `actions` handle after-commit actions by type (`{ webhook: … }`); a type has one handler per engine;
 * - `start` begins the module's background work once the server is ready, `stop` ends it and
 *   waits for the work under way (called even when `start` never ran).
 * Everything a module needs (settings, logger, callbacks) is given to its factory.
 */
export interface EngineModule {
  name: string
  load?: (app: AppContext, registry: Registry, engine: EngineWiring) => Promise<void>
  writeHooks?: WriteHooks
  authorize?: (args: { app: AppContext, registry: Registry, entity: CompiledEntity, action: EntityAction, user: UserContext | null }) => ReadExtra | undefined
  actions?: Readonly<Record<string, ActionHandler>>
  start?: (host: EngineHost) => Promise<void> | void
  stop?: () => Promise<void>
}

/** The ordered module list of a server, and what the hot path needs precomputed from it. */
export interface Engine extends EngineWiring {
  modules: readonly EngineModule[]
  loadAll: (app: AppContext, registry: Registry) => Promise<void>
  /** Starts every module's background work, in module order. */
  start: (host: EngineHost) => Promise<void>
  /** Stops every module, in reverse module order: later modules' work may still use earlier ones. */
  stop: () => Promise<void>
}

/** Every module's action handlers in one map; a type claimed twice is a startup error. */
function collectActions (modules: readonly EngineModule[]): ActionHandlers {
  const actions = new Map<string, ActionHandler>()
  const owner = new Map<string, string>()
  for (const m of modules) {
    for (const [type, handler] of Object.entries(m.actions ?? {})) {
      const first = owner.get(type)
      if (first !== undefined) throw new Error(`engine modules '${first}' and '${m.name}' both handle '${type}' actions`)
      owner.set(type, m.name)
      actions.set(type, handler)
    }
  }
  return actions
}

/** Runs every module's `stop` (reverse order), each even when an earlier one failed; the failures are thrown afterwards. */
async function stopAll (modules: readonly EngineModule[]): Promise<void> {
  const errors: unknown[] = []
  for (const m of [...modules].reverse()) {
    try {
      await m.stop?.()
    } catch (err) {
      errors.push(err)
    }
  }
  if (errors.length === 1) throw errors[0]
  if (errors.length > 1) throw new AggregateError(errors, `${errors.length} engine modules failed to stop`)
}

export function createEngine (modules: readonly EngineModule[]): Engine {
  const writeHooks = modules.flatMap((m) => (m.writeHooks !== undefined ? [m.writeHooks] : []))
  const actions = collectActions(modules)
  const wiring: EngineWiring = { writeHooks, actions }
  return {
    modules,
    writeHooks,
    actions,
    loadAll: async (app, registry) => {
      for (const m of modules) if (m.load !== undefined) await m.load(app, registry, wiring)
    },
    start: async (host) => {
      for (const [i, m] of modules.entries()) {
        try {
          await m.start?.(host)
        } catch (err) {
          // The modules already running stop again: a failed start leaves no timers behind.
          await stopAll(modules.slice(0, i + 1)).catch(() => {})
          throw err
        }
      }
    },
    stop: async () => { await stopAll(modules) }
  }
}
