// Text-box values ↔ JSON values for the admin forms; pure, so unit tests load it without a browser.

/** Parses a JSON text box: undefined when empty, an Error with the parser's message when malformed. */
export function parseJsonText (text: string, what: string): unknown {
  if (text.trim() === '') return undefined
  try {
    return JSON.parse(text) as unknown
  } catch (err) {
    throw new Error(`${what}: ${err instanceof Error ? err.message : 'invalid JSON'}`)
  }
}

/** A value typed in a text box: JSON when it parses (numbers, booleans, null, lists), else the text itself. */
export function looseValue (text: string): unknown {
  const t = text.trim()
  if (t === '') return ''
  try {
    return JSON.parse(t) as unknown
  } catch {
    return text
  }
}

/** The text box form of a value: strings as they are, anything else as JSON. */
export function valueText (value: unknown): string {
  if (value === undefined) return ''
  return typeof value === 'string' ? value : JSON.stringify(value)
}
