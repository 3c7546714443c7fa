import type { FastifyBaseLogger } from 'fastify'
import type { Bindings, ChildLoggerOptions } from 'pino'

type Log = (...args: unknown[]) => void

/**
 * `request.log` built on first use. Fastify gives every request a child logger carrying its
 * id, and pino's child (a new prototype object, its bindings serialized) costs a few per cent of
 * a request's CPU — yet with per-request lines off (plugins/request-log.ts) a request logs only
 * when something goes wrong. This stand-in creates the pino child with the same bindings and
 * options the first time it is asked to log, so the lines are exactly those of the child.
 */
class LazyChildLogger {
  private real: FastifyBaseLogger | null = null

  constructor (private readonly parent: FastifyBaseLogger, private readonly bindings: Bindings, private readonly opts: ChildLoggerOptions) {}

  private get log (): FastifyBaseLogger {
    this.real ??= this.parent.child(this.bindings, this.opts)
    return this.real
  }

  get level (): string { return this.real?.level ?? this.opts.level ?? this.parent.level }
  set level (level: string) { this.log.level = level }

  fatal (...args: unknown[]): void { (this.log.fatal as Log)(...args) }
  error (...args: unknown[]): void { (this.log.error as Log)(...args) }
  warn (...args: unknown[]): void { (this.log.warn as Log)(...args) }
  info (...args: unknown[]): void { (this.log.info as Log)(...args) }
  debug (...args: unknown[]): void { (this.log.debug as Log)(...args) }
  trace (...args: unknown[]): void { (this.log.trace as Log)(...args) }
  silent (): void {}
  child (bindings: Bindings, opts?: ChildLoggerOptions): FastifyBaseLogger { return this.log.child(bindings, opts) }
}

/** Fastify's `childLoggerFactory`: a request's logger, created when it first logs. */
export function lazyChildLogger (logger: FastifyBaseLogger, bindings: Bindings, opts: ChildLoggerOptions): FastifyBaseLogger {
  return new LazyChildLogger(logger, bindings, opts) as unknown as FastifyBaseLogger
}
