import type { AppContext } from '../apps/context.js'
import type { Registry } from '../metadata/registry.js'
import type { ReadExtra } from '../query/types.js'
import type { CompiledEntity } from '../metadata/compiled.js'
import type { UserContext } from '../apps/context.js'
import type { WriteHooks } from '../write/hooks.js'

/** What a request is about to do to an entity. */
export type EntityAction = 'read' | 'create' | 'update' | 'delete'

/**
 * A capability that plugs into the engine (rules, state machines, permissions, webhooks,
 * audit, workflows, files…). Each part is optional:
 * - `load` compiles the module's metadata for a new registry version (stored in
 *   `registry.extensions` under the module name) — run once per metadata change, never per request;
 * - `writeHooks` join the write pipeline (order = module order);
 * - `authorize` runs before any entity operation and may add row-level read conditions.
 */
export interface EngineModule {
  name: string
  load?: (app: AppContext, registry: Registry) => Promise<void>
  writeHooks?: WriteHooks
  authorize?: (args: { app: AppContext, registry: Registry, entity: CompiledEntity, action: EntityAction, user: UserContext | null }) => ReadExtra | undefined
}

/** The ordered module list of a server, and what the hot path needs precomputed from it. */
export interface Engine {
  modules: readonly EngineModule[]
  writeHooks: readonly WriteHooks[]
  loadAll: (app: AppContext, registry: Registry) => Promise<void>
}

export function createEngine (modules: readonly EngineModule[]): Engine {
  const writeHooks = modules.flatMap((m) => (m.writeHooks !== undefined ? [m.writeHooks] : []))
  return {
    modules,
    writeHooks,
    loadAll: async (app, registry) => {
      for (const m of modules) if (m.load !== undefined) await m.load(app, registry)
    }
  }
}
