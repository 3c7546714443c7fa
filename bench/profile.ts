/**
 * Top self-time and inclusive-time functions of a V8 `.cpuprofile` (written by
 * `node --cpu-prof`). `npx tsx bench/profile.ts <file.cpuprofile | dir> [count]`;
 * `npm run bench -- --profile` prints the Rocket process's profile this way, restricted to
 * the measured load windows (monotonic clock, shared by all processes of the machine).
 */
import { readdirSync, readFileSync, statSync } from 'node:fs'
import path from 'node:path'
import { fileURLToPath } from 'node:url'

interface ProfileNode {
  id: number
  callFrame: { functionName: string, url: string, lineNumber: number }
  children?: number[]
}

interface CpuProfile {
  nodes: ProfileNode[]
  samples?: number[]
  timeDeltas?: number[]
  startTime: number
}

/** A time window in microseconds of the monotonic clock (`process.hrtime`). */
export interface Window { from: number, to: number }

/** A function (or package) and the time spent in it. */
export interface HotFunction { name: string, where: string, ms: number, share: number }

/** Package of a frame: `nm:<package>`, `node:`, the repository folder, or `(native)`. */
function groupOf (where: string): string {
  if (where === '') return '(native)'
  if (where.startsWith('nm:')) {
    const parts = where.slice(3).split('/')
    return `nm:${parts[0]?.startsWith('@') === true ? `${parts[0]}/${parts[1] ?? ''}` : parts[0] ?? ''}`
  }
  if (where.startsWith('node:')) return 'node:'
  return where.split('/').slice(0, where.startsWith('lib/') ? 2 : 1).join('/').replace(/:\d+$/, '')
}

function keyOf (node: ProfileNode): { key: string, name: string, where: string } {
  const { functionName, url, lineNumber } = node.callFrame
  const file = url.replace(/^file:\/\//, '').replace(/.*\/node_modules\//, 'nm:').replace(/.*\/work\/main\//, '')
  const where = file === '' ? '' : `${file}:${lineNumber + 1}`
  return { key: `${functionName}@${where}`, name: functionName === '' ? '(anonymous)' : functionName, where }
}

function top (map: Map<string, HotFunction>, total: number, count: number): HotFunction[] {
  const list = [...map.values()].sort((a, b) => b.ms - a.ms).slice(0, count)
  for (const h of list) h.share = h.ms / (total || 1)
  return list
}

/**
 * Self and inclusive time per function (summed over call sites; a recursive function counts
 * once per sample), as shares of busy time: `(idle)` is the event loop waiting.
 */
export function analyze (profile: CpuProfile, windows: Window[] = [], count = 25): { self: HotFunction[], inclusive: HotFunction[], groups: HotFunction[], busyMs: number } {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]))
  const parent = new Map<number, number>()
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id)
  const self = new Map<string, HotFunction>()
  const inclusive = new Map<string, HotFunction>()
  const groups = new Map<string, HotFunction>()
  const add = (map: Map<string, HotFunction>, node: ProfileNode, ms: number): void => {
    const k = keyOf(node)
    const entry = map.get(k.key) ?? { name: k.name, where: k.where, ms: 0, share: 0 }
    entry.ms += ms
    map.set(k.key, entry)
  }
  const samples = profile.samples ?? []
  const deltas = profile.timeDeltas ?? []
  let t = profile.startTime
  let busy = 0
  for (let i = 0; i < samples.length; i++) {
    t += deltas[i] ?? 0
    const node = byId.get(samples[i] as number)
    if (node === undefined || node.callFrame.functionName === '(idle)') continue
    if (windows.length > 0 && !windows.some((w) => t >= w.from && t <= w.to)) continue
    const ms = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000
    busy += ms
    add(self, node, ms)
    const g = groupOf(keyOf(node).where)
    const ge = groups.get(g) ?? { name: g, where: '', ms: 0, share: 0 }
    ge.ms += ms
    groups.set(g, ge)
    const seen = new Set<string>()
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const n = byId.get(id) as ProfileNode
      const k = keyOf(n).key
      if (seen.has(k)) continue
      seen.add(k)
      add(inclusive, n, ms)
    }
  }
  return { self: top(self, busy, count), inclusive: top(inclusive, busy, count * 2), groups: top(groups, busy, 30), busyMs: busy }
}

/** The newest process's main-thread profile: its largest file (loader threads write small ones). */
function newestProfile (target: string): string | null {
  if (!statSync(target).isDirectory()) return target
  const files = readdirSync(target).filter((f) => f.endsWith('.cpuprofile')).map((f) => path.join(target, f))
  const pidOf = (f: string): string => path.basename(f).split('.')[3] ?? ''
  files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)
  const newest = files[0]
  if (newest === undefined) return null
  const same = files.filter((f) => pidOf(f) === pidOf(newest))
  same.sort((a, b) => statSync(b).size - statSync(a).size)
  return same[0] ?? null
}

const line = (h: HotFunction): string => `${(h.share * 100).toFixed(1).padStart(5)}%  ${h.ms.toFixed(0).padStart(7)} ms  ${h.name}  ${h.where}`

/** Prints the hot functions of `target` (a profile file, or the newest in a directory). */
export async function printProfile (target: string, opts: { windows?: Window[], count?: number } = {}): Promise<void> {
  let file: string | null
  try { file = newestProfile(target) } catch { file = null }
  if (file === null) { console.log(`no .cpuprofile under ${target}`); return }
  const count = opts.count ?? 25
  const { self, inclusive, groups, busyMs } = analyze(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, opts.windows, count)
  const scope = (opts.windows?.length ?? 0) > 0 ? 'measured windows' : 'whole run'
  console.log(`\n${path.relative(process.cwd(), file)} (${scope}, ${busyMs.toFixed(0)} ms busy)\nTop ${count} by self time:`)
  for (const h of self) console.log(line(h))
  console.log('Self time by package:')
  for (const h of groups) console.log(line(h))
  console.log(`Top ${count * 2} by inclusive time:`)
  for (const h of inclusive) console.log(line(h))
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  await printProfile(process.argv[2] ?? path.join(process.cwd(), 'bench', '.profiles'), { count: Number(process.argv[3] ?? 25) })
}
