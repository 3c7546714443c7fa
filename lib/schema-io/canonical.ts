/**
 * Canonical JSON: object keys sorted at every depth, array order kept, `undefined` members
 * dropped (as JSON.stringify does), Dates as ISO strings. Two documents that differ only in
 * the order of their keys have the same canonical text — how import compares an item of the
 * document with the stored one ("by content, not by JSON key order", docs/reference.md, "Export and import").
 */
export function canonicalJson (value: unknown): string {
  return JSON.stringify(sortKeys(value)) ?? 'null'
}

function sortKeys (value: unknown): unknown {
  if (value instanceof Date) return value.toISOString()
  if (Array.isArray(value)) return value.map((v) => sortKeys(v === undefined ? null : v))
  if (typeof value !== 'object' || value === null) return value
  // No prototype: a stored `__proto__` key is copied as data, never as the object's prototype.
  const out = Object.create(null) as Record<string, unknown>
  for (const key of Object.keys(value).sort()) {
    const v = (value as Record<string, unknown>)[key]
    if (v !== undefined) out[key] = sortKeys(v)
  }
  return out
}

/** Whether two JSON values have the same content, whatever the order of their object keys. */
export function sameContent (a: unknown, b: unknown): boolean {
  return canonicalJson(a) === canonicalJson(b)
}
