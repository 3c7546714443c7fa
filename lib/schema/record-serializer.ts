import fastJson from 'fast-json-stringify'
import type { JsonSchema } from '../fields/index.js'

type Serialize = (record: Record<string, unknown>) => string

/** Properties per compiled piece: one piece compiles in a few ms, so no compilation holds the event loop long. */
const PIECE = 50

/**
 * The serializer of an entity's own fields (`{type: 'object', properties}`), compiled with
 * fast-json-stringify in pieces of `PIECE` properties whose outputs are joined. A 500-field
 * entity compiled in one go holds the event loop for tens to hundreds of ms; `prepare` compiles
 * the pieces one per macrotask ahead of first use (docs/security.md), and a call before that
 * finished compiles only the pieces still missing.
 */
export class PiecewiseSerializer {
  private readonly pieces: JsonSchema[]
  private readonly compiled: Array<Serialize | null>

  constructor (schema: JsonSchema) {
    const entries = Object.entries((schema.properties ?? {}) as Record<string, JsonSchema>)
    this.pieces = []
    for (let i = 0; i < entries.length || i === 0; i += PIECE) {
      this.pieces.push({ type: 'object', properties: Object.fromEntries(entries.slice(i, i + PIECE)) })
    }
    this.compiled = this.pieces.map(() => null)
  }

  private piece (i: number): Serialize {
    return (this.compiled[i] ??= fastJson(this.pieces[i] as JsonSchema) as Serialize)
  }

  readonly serialize: Serialize = (record) => {
    if (this.pieces.length === 1) return this.piece(0)(record)
    let out = ''
    for (let i = 0; i < this.pieces.length; i++) {
      const part = this.piece(i)(record)
      if (part.length > 2) out += (out === '' ? '' : ',') + part.slice(1, -1)
    }
    return `{${out}}`
  }

  /** Compiles the pieces not compiled yet, yielding to the event loop between pieces. */
  async prepare (): Promise<void> {
    for (let i = 0; i < this.pieces.length; i++) {
      if (this.compiled[i] !== null) continue
      await new Promise((resolve) => setImmediate(resolve))
      this.piece(i)
    }
  }
}
