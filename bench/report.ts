/**
 * Summaries and the markdown written to the console and to bench/RESULTS.md. RESULTS.md
 * keeps hand-written notes: only the blocks between `<!-- bench:NAME -->` and
 * `<!-- /bench:NAME -->` markers are replaced by a run.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, readFileSync, writeFileSync } from 'node:fs'
import { cpus, totalmem } from 'node:os'
import type { Measurement } from './load.js'
import type { MetadataTiming } from './metadata.js'
import type { Scenario } from './scenarios.js'
import type { SoakResult } from './soak.js'

/** One scenario run on Rocket and both floors: with the audit row (`floor`) and without (`bare`). */
export interface Round { rocket: Measurement, floor: Measurement, bare: Measurement }

/** Which floor a table compares Rocket with. */
export type FloorKind = 'floor' | 'bare'
/** Every round of one scenario. */
export interface ScenarioRuns { scenario: Scenario, rounds: Round[] }

/** Median (NaN for no values). */
export function median (values: number[]): number {
  if (values.length === 0) return NaN
  const s = [...values].sort((a, b) => a - b)
  const mid = Math.floor(s.length / 2)
  return s.length % 2 === 1 ? s[mid] as number : ((s[mid - 1] as number) + (s[mid] as number)) / 2
}

/** One server's medians over the rounds (RSS: the peak). */
export interface Side { rps: number, p50: number, p99: number, rss: number, cpu: number, pgCpu: number }

/** One table row: medians over rounds and the verdict against the scenario's bar. */
export interface Summary {
  id: string
  title: string
  bar: number
  ratio: number
  ratios: number[]
  rocket: Side
  floor: Side
  failures: number
  /**
   * Floor's CPU per request over Rocket's, server plus PostgreSQL backends: what the req/s
   * ratio would tend to on a machine saturated by these two alone. Robust to other load.
   */
  cpuRatio: number
  pass: boolean
}

function side (rounds: Measurement[]): Side {
  return {
    cpu: median(rounds.map((m) => m.cpuPerRequest)),
    pgCpu: median(rounds.map((m) => m.pgCpuPerRequest)),
    rps: median(rounds.map((m) => m.rps)),
    p50: median(rounds.map((m) => m.p50)),
    p99: median(rounds.map((m) => m.p99)),
    rss: Math.max(...rounds.map((m) => m.rssPeak))
  }
}

/** Medians over rounds against one floor; the ratio is the median of the per-round ratios. */
export function summarize (runs: ScenarioRuns, against: FloorKind = 'floor'): Summary {
  const ratios = runs.rounds.map((r) => (r[against].rps > 0 ? r.rocket.rps / r[against].rps : 0))
  const ratio = median(ratios)
  const failures = runs.rounds.reduce((n, r) => n + r.rocket.failures + r[against].failures, 0)
  const { id, title } = runs.scenario
  const bar = against === 'floor' ? runs.scenario.bar : runs.scenario.bareBar
  const rocket = side(runs.rounds.map((r) => r.rocket))
  const floor = side(runs.rounds.map((r) => r[against]))
  return {
    id,
    title,
    bar,
    ratio,
    ratios,
    rocket,
    floor,
    failures,
    cpuRatio: (floor.cpu + floor.pgCpu) / (rocket.cpu + rocket.pgCpu),
    pass: failures === 0 && ratio >= bar
  }
}

const f0 = (n: number): string => Math.round(n).toString()
const f2 = (n: number): string => n.toFixed(2)

/** The main table (markdown). */
export function scenarioTable (summaries: Summary[], rssLimit: number): string {
  const lines = [
    '| Scenario | Rocket req/s | Floor req/s | Ratio (rounds) | Bar | CPU-cost ratio | Rocket p50 / p99 ms | Floor p50 / p99 ms | Server CPU ms/req R / F | PG CPU ms/req R / F | non-2xx | Rocket RSS MB | Floor RSS MB | |',
    '|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|'
  ]
  for (const s of summaries) {
    lines.push(`| ${s.id} ${s.title} | ${f0(s.rocket.rps)} | ${f0(s.floor.rps)} | **${f2(s.ratio)}** (${s.ratios.map(f2).join(', ')}) | ≥ ${f2(s.bar)} | ${f2(s.cpuRatio)} | ` +
      `${f0(s.rocket.p50)} / ${f0(s.rocket.p99)} | ${f0(s.floor.p50)} / ${f0(s.floor.p99)} | ${s.rocket.cpu.toFixed(3)} / ${s.floor.cpu.toFixed(3)} | ${s.rocket.pgCpu.toFixed(3)} / ${s.floor.pgCpu.toFixed(3)} | ${s.failures} | ${s.rocket.rss} | ${s.floor.rss} | ` +
      `${s.pass && s.rocket.rss <= rssLimit ? 'pass' : 'FAIL'} |`)
  }
  return lines.join('\n')
}

/** Cold metadata change timings (markdown list). */
export function metadataBlock (m: MetadataTiming): string {
  return [
    `- \`POST _admin/entities\` round trip: ${f0(m.createEntityMs)} ms; first successful create on the new entity ${f0(m.firstCreateMs)} ms after the POST was sent`,
    `- \`PUT _admin/entities/:name\` (one field added) round trip: ${f0(m.addFieldMs)} ms; first write carrying the new field accepted ${f0(m.firstWriteWithFieldMs)} ms after the PUT was sent`
  ].join('\n')
}

/** Soak result (markdown list). */
export function soakBlock (s: SoakResult): string {
  const first = s.samples[0] ?? 0
  const last = s.samples[s.samples.length - 1] ?? 0
  const half = Math.floor(s.samples.length / 2)
  return [
    `- ${s.seconds} s of S1 + S4 interleaved after a 10 s warm-up: ${f0(s.rps)} req/s, ${s.failures} non-2xx`,
    `- Rocket RSS every 5 s (MB): ${s.samples.join(', ')}`,
    `- first ${first} MB → last ${last} MB; peak of the first half ${Math.max(...s.samples.slice(0, half))} MB, ` +
      `of the second half ${Math.max(...s.samples.slice(half))} MB: ${s.stable ? 'no growth (pass)' : 'GROWTH (FAIL)'}`
  ].join('\n')
}

function sh (cmd: string, args: string[]): string {
  try { return execFileSync(cmd, args, { encoding: 'utf8' }).trim() } catch { return '?' }
}

/** Machine facts for the results header. */
export function machineLine (pgVersion: string): string {
  const cpu = cpus()[0]?.model ?? '?'
  return `nproc ${sh('nproc', [])} (${cpu}), ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${pgVersion}`
}

/** Replaces (or appends) the block `name` of bench/RESULTS.md. */
export function writeBlock (file: string, name: string, content: string): void {
  const start = `<!-- bench:${name} -->`
  const end = `<!-- /bench:${name} -->`
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '# Benchmark results\n'
  const block = `${start}\n${content.trim()}\n${end}`
  const i = text.indexOf(start)
  const j = text.indexOf(end)
  const next = i >= 0 && j > i ? text.slice(0, i) + block + text.slice(j + end.length) : `${text.trimEnd()}\n\n${block}\n`
  writeFileSync(file, next)
}
