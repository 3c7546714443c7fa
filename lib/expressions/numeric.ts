/**
 * Conversions of user strings to numbers and dates, in time linear in a bounded input
 * (docs/security.md, "Expression engine"): a backtracking regular expression here let one
 * computed rule over a long text field hold the event loop for seconds.
 */

/**
 * Strings longer than this are never numbers to the expression engine: a double holds about
 * 17 significant digits and overflows past 309, so no useful number is longer, while a long
 * text (a name, a note) is converted on every arithmetic operator it meets.
 */
export const MAX_NUMERIC_LENGTH = 1000

/** Longer strings are not dates: every date format `new Date` reads is far shorter. */
export const MAX_DATE_LENGTH = 100

function isDigit (code: number): boolean {
  return code >= 48 && code <= 57
}

/** Index after the run of ASCII digits starting at `i`. */
function skipDigits (s: string, i: number): number {
  while (i < s.length && isDigit(s.charCodeAt(i))) i++
  return i
}

/**
 * Plain decimal notation only — optional sign, digits with an optional fraction (`1`, `1.`,
 * `.5`), optional exponent, surrounding whitespace — as a number; anything else (hex,
 * `Infinity`, the empty string that `Number('')` reads as 0) as null. One pass, no regex.
 */
export function parseDecimal (text: string): number | null {
  if (text.length > MAX_NUMERIC_LENGTH) return null
  const s = text.trim()
  let i = s.startsWith('+') || s.startsWith('-') ? 1 : 0
  const intEnd = skipDigits(s, i)
  let digits = intEnd - i
  i = intEnd
  if (s[i] === '.') {
    const fracEnd = skipDigits(s, i + 1)
    digits += fracEnd - i - 1
    i = fracEnd
  }
  if (digits === 0) return null
  if (s[i] === 'e' || s[i] === 'E') {
    i++
    if (s[i] === '+' || s[i] === '-') i++
    const expEnd = skipDigits(s, i)
    if (expEnd === i) return null
    i = expEnd
  }
  return i === s.length ? Number(s) : null
}
