import type { Engine, EngineModule } from '../engine/modules.js'
import { changesRowSql } from './row-sql.js'

/** Module name; also the key of `{app}` in `registry.extensions` (the after-commit hook needs the app's name). */
export const REALTIME = 'realtime'

/** Where committed changes are announced; the realtime plugin sets `onCommit` (nothing listens before). */
export interface RealtimeSignal {
  onCommit: ((app: string) => void) | null
}

export interface RealtimeModule extends EngineModule {
  signal: RealtimeSignal
}

/**
 * The realtime outbox as an engine module (docs/ARCHITECTURE.md "Realtime"): every written row
 * gets its `_changes` row from its own statement (`rowSql`), and after the commit the process's
 * fan-out is woken (`signal.onCommit`: local feed + a NOTIFY for the other processes). A lost
 * signal (crash between COMMIT and NOTIFY) only delays delivery until the feed's next poll.
 */
export function realtimeModule (): RealtimeModule {
  const signal: RealtimeSignal = { onCommit: null }
  return {
    name: REALTIME,
    signal,
    load: async (app, registry) => { registry.extensions.set(REALTIME, { app: app.name }) },
    writeHooks: {
      name: REALTIME,
      rowSql: changesRowSql,
      afterCommit: (_nodes, unit) => {
        const ext = unit.registry.extensions.get(REALTIME) as { app: string } | undefined
        if (ext !== undefined) signal.onCommit?.(ext.app)
      }
    }
  }
}

export function realtimeSignalOf (engine: Engine): RealtimeSignal | null {
  const m = engine.modules.find((x) => x.name === REALTIME) as RealtimeModule | undefined
  return m?.signal ?? null
}
