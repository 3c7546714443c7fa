// `npm test`: runs the suite and prints the plain "N passed, N failed" closing line CI reads
// (docs/ARCHITECTURE.md, "Tests"). Exit code 0 only when every file passed.
//
// 1. Compiles the sources and tests (test/build.js → `.test-build/`).
// 2. Starts ONE embedded PostgreSQL for the whole run, handed to every test file as
//    TEST_DATABASE_URL (each file creates databases of its own), stopped when the run ends, fails
//    or is interrupted. With TEST_DATABASE_URL or DATABASE_URL set, that server is used instead.
// 3. Runs the compiled test files, JOBS at a time (test/runner.js), and prints each file's TAP
//    as a subtest once it ends. `npm test -- test/routes/a.test.ts test/unit …` runs only those
//    files and folders.
import { existsSync, statSync } from 'node:fs'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildTests, compiledPath, ROOT } from './build.js'
import { listTestFiles, runTestFiles } from './runner.js'

/** Files run at once: the suite is CPU-bound on 2 cores, and a third file fills their waits on PostgreSQL. */
const JOBS = Number(process.env.TEST_JOBS ?? 3)
/** tap's own limit per file (seconds; a file may raise it with t.setTimeout). */
const TAP_TIMEOUT = 300

// Arguments name test files or folders of them, as the sources (`test/routes`, `test/unit/a.test.ts`).
const requested = process.argv.slice(2).map((f) => path.relative(ROOT, path.resolve(f)))
for (const f of requested) {
  if (!existsSync(path.join(ROOT, f)) || !(f.endsWith('.test.ts') || statSync(path.join(ROOT, f)).isDirectory())) {
    console.error(`npm test: '${f}' is not a test file (.test.ts) or a folder of them`)
    process.exit(2)
  }
}
const names = requested.length > 0
  ? requested.flatMap((f) => (f.endsWith('.test.ts') ? [f] : listTestFiles(ROOT, f)))
  : listTestFiles(ROOT)

const started = Date.now()
const compiled = await buildTests()
console.log(`# compiled ${compiled} files to .test-build/ in ${Date.now() - started} ms`)

const env = { ...process.env, BCRYPT_COST: process.env.BCRYPT_COST ?? '4', TAP_TIMEOUT: String(TAP_TIMEOUT) }
let shared = null
if ((env.TEST_DATABASE_URL ?? '') === '' && (env.DATABASE_URL ?? '') === '') {
  const { startEmbeddedTestServer } = await import(pathToFileURL(compiledPath('test/db-helper.ts')).href)
  shared = await startEmbeddedTestServer()
  env.TEST_DATABASE_URL = shared.url
}

let stopping = null
async function stopShared () {
  stopping ??= shared === null ? Promise.resolve() : shared.stop().catch((err) => { console.error(`stopping the test PostgreSQL: ${err}`) })
  await stopping
}

const files = names.map((name) => ({ name, script: compiledPath(name) }))

let passed = 0
let failed = 0
let skipped = 0
let fileNumber = 0
let filesFailed = 0
// The names of failed assertions, printed again at the end: CI shows only the tail of the output.
const failures = []

/**
 * Counts a file's leaf assertions: "ok"/"not ok" lines at any depth, except the summary line tap
 * prints for each subtest after its own assertions (it ends in "# time="). A file that failed
 * without a failing assertion (a crash, a timeout) still counts as one failure.
 */
function tally (name, output, ok) {
  const subtests = [name]
  let leafFailures = 0
  for (const line of output.split('\n')) {
    const sub = /^(\s*)# Subtest: (.*)$/.exec(line)
    if (sub !== null) {
      const depth = sub[1].length / 4 + 1
      subtests.length = depth
      subtests[depth] = sub[2]
      continue
    }
    const m = /^\s*(not ok|ok) \d+/.exec(line)
    if (m === null || /# time=[\d.]+m?s\s*$/.test(line)) continue
    if (/# SKIP|# TODO/i.test(line)) { skipped++; continue }
    if (m[1] === 'ok') passed++
    else {
      failed++
      leafFailures++
      failures.push(`${subtests.filter(Boolean).join(' > ')} > ${line.trim()}`)
    }
  }
  if (!ok && leafFailures === 0) {
    failed++
    failures.push(`${name}: the file failed without a failing assertion (see its output)`)
  }
}

const run = runTestFiles(files, {
  jobs: JOBS,
  env,
  cwd: ROOT,
  killAfterMs: (TAP_TIMEOUT + 60) * 1000,
  onDone: ({ name, output, code, signal, ms }) => {
    const ok = code === 0
    if (!ok) filesFailed++
    fileNumber++
    const body = output.replace(/\n$/, '').split('\n').map((l) => (l === '' ? l : `    ${l}`)).join('\n')
    const exit = ok ? '' : ` (exit ${code ?? signal})`
    process.stdout.write(`# Subtest: ${name}\n${body}\n${ok ? 'ok' : 'not ok'} ${fileNumber} - ${name}${exit} # time=${ms}ms\n\n`)
    tally(name, output, ok)
  }
})

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    run.stop()
    void stopShared().then(() => { process.exit(130) })
  })
}

await run.done
console.log(`1..${fileNumber}`)
console.log(`# ${files.length} files in ${((Date.now() - started) / 1000).toFixed(1)} s`)
if (failures.length > 0) console.log(`\nFailed:\n${failures.map((f) => `  ${f}`).join('\n')}`)
console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
await stopShared()
process.exit(filesFailed > 0 || failed > 0 ? 1 : 0)
