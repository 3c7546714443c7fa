const UNIT_MS: Readonly<Record<string, number>> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 }
const DURATION_RE = /^(?:\d{1,9}(?:ms|s|m|h|d|w))+$/
const PART_RE = /(\d{1,9})(ms|s|m|h|d|w)/g

/** Longest timeout or wait a workflow may define (a year): beyond, timestamps lose meaning. */
export const MAX_DURATION_MS = 366 * 86_400_000

/**
 * Parses a workflow duration: one or more `<integer><unit>` parts with units ms, s, m, h, d, w
 * (`48h`, `30m`, `2d`, `1h30m`). Null when malformed, zero or longer than a year.
 */
export function parseDuration (text: unknown): number | null {
  if (typeof text !== 'string' || !DURATION_RE.test(text)) return null
  let total = 0
  for (const m of text.matchAll(PART_RE)) total += Number(m[1]) * (UNIT_MS[m[2] as string] as number)
  return total > 0 && total <= MAX_DURATION_MS ? total : null
}
