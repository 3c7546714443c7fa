import type { RelationDef } from '../metadata/types.js'

/**
 * Entity names ordered so that an entity comes after the entities its rows reference (the
 * source of each one_to_many / one_to_one relation before its target, which holds the FK).
 * Ties and cycles keep the given order; self-references are left to the row order.
 */
export function dependencyOrder (given: readonly string[], relations: readonly RelationDef[]): string[] {
  const names = [...new Set(given)]
  const wanted = new Set(names)
  const parents = new Map<string, Set<string>>(names.map((n) => [n, new Set()]))
  for (const r of relations) {
    if (r.type === 'many_to_many' || r.source === r.target || !wanted.has(r.source) || !wanted.has(r.target)) continue
    parents.get(r.target)?.add(r.source)
  }
  const out: string[] = []
  const placed = new Set<string>()
  while (out.length < names.length) {
    // The first name (in the given order) whose parents are all placed; in a cycle, the first name left.
    const next = names.find((n) => !placed.has(n) && [...(parents.get(n) ?? [])].every((p) => placed.has(p))) ??
      names.find((n) => !placed.has(n)) as string
    out.push(next)
    placed.add(next)
  }
  return out
}
