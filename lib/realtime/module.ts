import { silentLogger, type Engine, type EngineLogger, type EngineModule } from '../engine/modules.js'
import { RealtimeHub, realtimeSettings, type RealtimeSettings } from './hub.js'
import { changesRowSql } from './row-sql.js'

/** Module name; also the key of `{app}` in `registry.extensions` (the after-commit hook needs the app's name). */
export const REALTIME = 'realtime'

export interface RealtimeModule extends EngineModule {
  /** The process's fan-out: built by `start` (it needs the server's database and apps), null before. */
  readonly hub: RealtimeHub | null
  /** Sends what was committed, ends every stream and stops the fan-out (`stop` then finds it done). */
  closeStreams: () => Promise<void>
}

/**
 * The realtime outbox as an engine module (docs/ARCHITECTURE.md "Realtime"): every written row
 * gets its `_changes` row from its own statement (`rowSql`), and after the commit the process's
 * fan-out is woken (`RealtimeHub.changed`: local feed + a NOTIFY for the other processes). A lost
 * signal (crash between COMMIT and NOTIFY) only delays delivery until the feed's next poll.
 * `start` builds and starts the hub (LISTEN, poll, retention); `stop` closes it. Its streams are
 * client connections: the realtime plugin ends them earlier, before the server waits for its
 * connections (`closeStreams`).
 */
export function realtimeModule (settings: RealtimeSettings = realtimeSettings(), opts: { log?: EngineLogger } = {}): RealtimeModule {
  const log = opts.log ?? silentLogger
  let hub: RealtimeHub | null = null
  const close = async (): Promise<void> => { await hub?.close() }
  return {
    name: REALTIME,
    get hub () { return hub },
    load: async (app, registry) => { registry.extensions.set(REALTIME, { app: app.name }) },
    writeHooks: {
      name: REALTIME,
      rowSql: changesRowSql,
      afterCommit: (_nodes, unit) => {
        if (hub === null) return
        const ext = unit.registry.extensions.get(REALTIME) as { app: string } | undefined
        if (ext !== undefined) hub.changed(ext.app)
      }
    },
    start: async (host) => {
      hub = new RealtimeHub(settings, {
        sql: host.sql,
        instanceId: host.instanceId,
        apps: host.apps,
        isCurrent: host.isCurrent,
        log
      })
      await hub.start()
    },
    closeStreams: close,
    stop: close
  }
}

/** The realtime module of an engine (null when the engine has none). */
export function realtimeModuleOf (engine: Engine): RealtimeModule | null {
  return (engine.modules.find((x) => x.name === REALTIME) as RealtimeModule | undefined) ?? null
}
