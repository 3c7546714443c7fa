/**
 * TIMESTAMPTZ columns as Dates, cheaply when a result repeats one moment row after row — every
 * row a write unit writes carries the unit's timestamp (`created_at`, `updated_at`: a 100-row
 * bulk create returns 200 equal texts). Parsing PostgreSQL's text ('2026-01-31 09:30:00.123+00')
 * and rendering the Date again as ISO for the response cost about a microsecond each; a value
 * equal to the one parsed just before is built from the kept epoch milliseconds instead, and
 * every such Date renders its ISO text once for all of them.
 */

/** The moment of a run of equal column texts, and its ISO text once some Date of the run rendered it. */
interface SharedMoment {
  ms: number
  iso: string | undefined
}

/** A Date of a repeated moment: its ISO text is rendered once per run, not once per row. */
class RepeatedMoment extends Date {
  readonly #shared: SharedMoment

  constructor (shared: SharedMoment) {
    super(shared.ms)
    this.#shared = shared
  }

  override toISOString (): string {
    const shared = this.#shared
    // A Date is mutable: the shared text stands only while this one still holds the parsed moment.
    if (this.getTime() !== shared.ms) return super.toISOString()
    return (shared.iso ??= super.toISOString())
  }
}

let lastText = ''
let lastMs = NaN
let lastShared: SharedMoment | null = null

/**
 * The postgres.js parser of TIMESTAMPTZ text: a Date as `new Date(text)` gives (an invalid one
 * for 'infinity'). Only a text equal to the previous one shares its moment, so results whose
 * timestamps all differ (most reads) cost what they did: one string comparison more.
 */
export function parseTimestamptz (text: string): Date {
  if (text === lastText) {
    lastShared ??= { ms: lastMs, iso: undefined }
    return new RepeatedMoment(lastShared)
  }
  const date = new Date(text)
  lastText = text
  lastMs = date.getTime()
  lastShared = null
  return date
}
