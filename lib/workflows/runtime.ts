import type { Config } from '../../config/index.js'
import type { AppContext } from '../apps/context.js'
import { forEachLimited, RoundRobin } from '../jobs/fair.js'
import { workflowsOf } from './compile.js'
import { advance } from './executor.js'
import { claimDueInstances, releaseLease } from './instances.js'
import type { InstanceRow } from './types.js'

/** How this server runs workflow instances; derived from the configuration once per server. */
export interface WorkflowSettings {
  /** How often the scheduler looks for due timeouts and waits and for interrupted instances. */
  pollIntervalMs: number
  /** A `running` instance stays with the process advancing it this long (renewed at every step). */
  leaseMs: number
  /** Instances claimed per app per scheduler tick. */
  batchSize: number
  /** Steps one run may execute without pausing (a goto loop without approval or wait fails beyond). */
  maxStepsPerRun: number
  /** Instances started by workflow writes that started instances…: beyond this depth, a trigger cycle is assumed. */
  maxChain: number
}

/** Settings from the configuration (defaults when a key is missing: lib-level tests build engines without one). */
export function workflowSettings (config: Partial<Pick<Config, 'workflowPollIntervalMs'>> = {}): WorkflowSettings {
  return { pollIntervalMs: config.workflowPollIntervalMs ?? 10_000, leaseMs: 60_000, batchSize: 20, maxStepsPerRun: 1000, maxChain: 10 }
}

/** Apps whose due instances one scheduler pass advances side by side (each app's own runs stay sequential). */
const APP_LANES = 4

/** Where background problems are reported (engine faults, never a step's business failure). */
export interface WorkflowLogger {
  error: (obj: unknown, msg?: string) => void
  warn: (obj: unknown, msg?: string) => void
}

const silent: WorkflowLogger = { error: () => {}, warn: () => {} }

/**
 * The workflow machinery of one server: runs instances (right after their trigger committed,
 * after a decision, or when the scheduler claims them) and keeps track of the runs under way so
 * shutdown can wait for them. Steps write through the write hooks of the engine that loaded
 * the app (`CompiledWorkflows.engine`).
 */
export class WorkflowRuntime {
  readonly settings: WorkflowSettings
  readonly log: WorkflowLogger
  private readonly inFlight = new Set<Promise<unknown>>()
  private closed = false
  private readonly turns = new RoundRobin()

  constructor (settings: WorkflowSettings, opts: { log?: WorkflowLogger } = {}) {
    this.settings = settings
    this.log = opts.log ?? silent
  }

  /**
   * Advances a leased instance until it pauses or ends and returns it as last persisted. Never
   * throws: a step's failure fails the instance; an engine fault is logged and leaves the
   * instance `running` for the scheduler to resume once its lease expired.
   */
  async run (app: AppContext, row: InstanceRow): Promise<InstanceRow> {
    if (this.closed && row.lease_id !== null) {
      // Claimed or triggered but not started while draining: released for another process (docs/ARCHITECTURE.md, "Across processes").
      const leaseId = row.lease_id
      const release = releaseLease(app.sql, { id: row.id, leaseId }).catch((err: unknown) => { this.log.error({ err, app: app.name, instance: row.id }, 'releasing a workflow lease failed') })
      this.inFlight.add(release)
      await release.finally(() => this.inFlight.delete(release))
      return row
    }
    const compiled = workflowsOf(app.registry)
    if (this.closed || compiled === undefined) return row
    const work = advance({ app, runtime: this, engine: compiled.engine }, row).catch((err: unknown) => {
      this.log.error({ err, app: app.name, instance: row.id }, 'workflow run failed')
      return row
    })
    this.inFlight.add(work)
    try {
      return await work
    } finally {
      this.inFlight.delete(work)
    }
  }

  /**
   * One scheduler pass over the given apps: claims due approvals (timeouts), due waits and
   * `running` instances whose lease expired (`FOR UPDATE SKIP LOCKED`, so each is run by one
   * process) and runs them. Each app claims at most `batchSize` per pass and its runs go one
   * after another, while up to `APP_LANES` apps advance side by side, starting one app further
   * along each pass (docs/security.md): one app's backlog cannot hold the others' instances
   * back. Exported for tests, which call it instead of waiting for the timer.
   */
  async tick (apps: readonly AppContext[]): Promise<void> {
    await forEachLimited(this.turns.order(apps), APP_LANES, async (app) => {
      if (this.closed) return
      let claimed: InstanceRow[]
      try {
        claimed = await claimDueInstances(app.sql, { limit: this.settings.batchSize, leaseMs: this.settings.leaseMs })
      } catch (err) {
        this.log.error({ err, app: app.name }, 'claiming workflow instances failed')
        return
      }
      for (const row of claimed) await this.run(app, row)
    })
  }

  /** Stops taking new work and waits for the runs under way. */
  async close (): Promise<void> {
    this.closed = true
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight])
  }
}
