import type { TransitionDef } from '../../api/logic.js'

export interface Point { x: number, y: number }

export interface DiagramNode extends Point {
  name: string
  initial: boolean
}

export interface DiagramEdge {
  from: string
  to: string
  /** Quadratic Bézier path from border to border. */
  path: string
  label: string
  labelAt: Point
}

export interface DiagramLayout {
  width: number
  height: number
  nodes: DiagramNode[]
  edges: DiagramEdge[]
}

export const NODE_W = 132
export const NODE_H = 40
const COL_W = 200
const ROW_H = 96
const MARGIN = 48

const fromList = (t: TransitionDef): string[] => (Array.isArray(t.from) ? t.from : [t.from]).filter((s) => s !== '')

/** States in order of appearance: the initial state first, then as transitions name them. */
export function statesOf (initial: string, transitions: TransitionDef[]): string[] {
  const seen = new Set<string>()
  const add = (s: string): void => { if (s !== '') seen.add(s) }
  add(initial)
  for (const t of transitions) {
    fromList(t).forEach(add)
    add(t.to)
  }
  return [...seen]
}

/** Layers by breadth-first distance from the initial state; unreachable states go in a last column. */
function layersOf (states: string[], initial: string, transitions: TransitionDef[]): Map<string, number> {
  const layer = new Map<string, number>()
  if (states.includes(initial)) layer.set(initial, 0)
  const queue = states.includes(initial) ? [initial] : []
  while (queue.length > 0) {
    const s = queue.shift() as string
    for (const t of transitions) {
      if (!fromList(t).includes(s) || t.to === '' || layer.has(t.to)) continue
      layer.set(t.to, (layer.get(s) ?? 0) + 1)
      queue.push(t.to)
    }
  }
  const last = layer.size === 0 ? 0 : Math.max(...layer.values()) + 1
  for (const s of states) if (!layer.has(s)) layer.set(s, last)
  return layer
}

/**
 * Orders each column by the mean row of the states that lead into it from earlier columns
 * (the barycentre heuristic), so arrows between neighbouring columns cross less.
 */
function orderColumns (columns: Map<number, string[]>, transitions: TransitionDef[]): void {
  const row = new Map<string, number>()
  for (const col of [...columns.keys()].sort((x, y) => x - y)) {
    const names = columns.get(col) ?? []
    const weight = (name: string, fallback: number): number => {
      const rows = transitions.filter((t) => t.to === name).flatMap(fromList).map((f) => row.get(f)).filter((r): r is number => r !== undefined)
      return rows.length === 0 ? fallback : rows.reduce((x, y) => x + y, 0) / rows.length
    }
    const weights = new Map(names.map((n, i) => [n, weight(n, i)]))
    names.sort((x, y) => (weights.get(x) ?? 0) - (weights.get(y) ?? 0))
    // Rows are centred in the diagram, so a column's rows are offsets from its middle.
    names.forEach((n, i) => row.set(n, i - (names.length - 1) / 2))
  }
}

/** Where the ray from a node's centre towards `toward` leaves its rectangle. */
function border (c: Point, toward: Point): Point {
  const dx = toward.x - c.x
  const dy = toward.y - c.y
  if (dx === 0 && dy === 0) return c
  const t = Math.min(dx === 0 ? Infinity : (NODE_W / 2 + 3) / Math.abs(dx), dy === 0 ? Infinity : (NODE_H / 2 + 3) / Math.abs(dy))
  return { x: c.x + dx * t, y: c.y + dy * t }
}

function edgeLabel (t: TransitionDef, index: number): string {
  const parts = [`#${index + 1}`]
  if (t.roles !== undefined && t.roles.length > 0) parts.push(t.roles.join(','))
  if (t.guard !== undefined && t.guard !== '') parts.push(`if ${t.guard.length > 22 ? `${t.guard.slice(0, 21)}…` : t.guard}`)
  if (t.actions !== undefined && t.actions.length > 0) parts.push(`⚙${t.actions.length}`)
  return parts.join(' ')
}

/**
 * A layered layout of a state machine: columns by distance from the initial state, states
 * stacked in each column, one curved arrow per (from, to) pair. Forward edges between adjacent
 * columns are straight; back edges, same-column edges and the two directions of a pair bend
 * apart so they and their labels do not overlap.
 */
export function layoutMachine (initial: string, transitions: TransitionDef[]): DiagramLayout {
  const states = statesOf(initial, transitions)
  const layer = layersOf(states, initial, transitions)
  const columns = new Map<number, string[]>()
  for (const s of states) columns.set(layer.get(s) ?? 0, [...(columns.get(layer.get(s) ?? 0) ?? []), s])
  orderColumns(columns, transitions)
  const rows = Math.max(1, ...[...columns.values()].map((c) => c.length))
  const cols = Math.max(1, columns.size === 0 ? 1 : Math.max(...columns.keys()) + 1)
  const height = MARGIN * 2 + (rows - 1) * ROW_H + NODE_H
  const at = new Map<string, Point>()
  for (const [col, names] of columns) {
    const top = (height - (names.length - 1) * ROW_H) / 2
    names.forEach((n, i) => at.set(n, { x: MARGIN + 28 + NODE_W / 2 + col * COL_W, y: top + i * ROW_H }))
  }
  const nodes = states.map((name) => ({ name, initial: name === initial, ...(at.get(name) as Point) }))
  const pairs = new Set<string>()
  transitions.forEach((t) => fromList(t).forEach((f) => pairs.add(`${f}\u0000${t.to}`)))
  const edges: DiagramEdge[] = []
  transitions.forEach((t, index) => {
    for (const from of fromList(t)) {
      const a = at.get(from)
      const b = at.get(t.to)
      if (a === undefined || b === undefined || from === t.to) continue
      const span = (layer.get(t.to) ?? 0) - (layer.get(from) ?? 0)
      const twoWay = pairs.has(`${t.to}\u0000${from}`)
      let bend = 0
      if (span !== 1) bend = span === 0 ? 46 : 30 + 14 * Math.abs(span)
      if (twoWay && bend === 0) bend = 26
      // Bend to the left of the direction of travel, so the two directions of a pair separate.
      const dx = b.x - a.x
      const dy = b.y - a.y
      const len = Math.hypot(dx, dy) || 1
      const mid = { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 }
      const control = { x: mid.x + (dy / len) * bend * (span < 0 ? 2 : 1), y: mid.y - (dx / len) * bend * (span < 0 ? 2 : 1) }
      const p0 = border(a, control)
      const p2 = border(b, control)
      const labelAt = { x: 0.25 * p0.x + 0.5 * control.x + 0.25 * p2.x, y: 0.25 * p0.y + 0.5 * control.y + 0.25 * p2.y }
      const r = (n: number): string => n.toFixed(1)
      edges.push({ from, to: t.to, path: `M ${r(p0.x)} ${r(p0.y)} Q ${r(control.x)} ${r(control.y)} ${r(p2.x)} ${r(p2.y)}`, label: edgeLabel(t, index), labelAt })
    }
  })
  const maxY = Math.max(height, ...edges.map((e) => e.labelAt.y + MARGIN))
  const minY = Math.min(0, ...edges.map((e) => e.labelAt.y - MARGIN))
  if (minY < 0) {
    for (const n of nodes) n.y -= minY
    for (const e of edges) e.labelAt.y -= minY
  }
  return { width: MARGIN * 2 + 28 + (cols - 1) * COL_W + NODE_W, height: maxY - minY, nodes, edges: minY < 0 ? edgesShifted(edges, -minY) : edges }
}

/** Edges moved down by `dy` (when a bent edge rose above the top margin). */
function edgesShifted (edges: DiagramEdge[], dy: number): DiagramEdge[] {
  return edges.map((e) => ({
    ...e,
    path: e.path.replace(/(-?\d+(?:\.\d+)?) (-?\d+(?:\.\d+)?)/g, (_m, x: string, y: string) => `${x} ${(Number(y) + dy).toFixed(1)}`)
  }))
}
