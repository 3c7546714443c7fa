// Runs the tap suite and prints the plain "N passed, N failed" closing line CI reads
// (tap's own summary is not in that form). Exit code is tap's.
//
// The suite runs compiled (test/build.js → `.test-build/`, tap configured by test/compiled.taprc):
// file arguments (`npm test -- test/routes/a.test.ts`) name the sources and run their compiled twins.
//
// One embedded PostgreSQL serves the whole run (docs/ARCHITECTURE.md, "Tests"): started here,
// handed to every test file as TEST_DATABASE_URL (each file creates databases of its own), and
// stopped when tap ends, fails or is interrupted. With TEST_DATABASE_URL or DATABASE_URL set,
// that server is used instead.
import { spawn } from 'node:child_process'
import path from 'node:path'
import { pathToFileURL } from 'node:url'
import { buildTests, compiledPath, ROOT } from './build.js'

const started = Date.now()
const compiled = await buildTests()
console.log(`# compiled ${compiled} files to .test-build/ in ${Date.now() - started} ms`)

const env = { ...process.env, BCRYPT_COST: process.env.BCRYPT_COST ?? '4', TAP_RCFILE: path.join(ROOT, 'test', 'compiled.taprc') }
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

const testArg = (arg) => /\.test\.ts$/.test(arg) ? path.relative(ROOT, compiledPath(arg)) : arg
const args = ['tap', '--reporter=tap', ...process.argv.slice(2).map(testArg)]
const child = spawn('npx', args, { stdio: ['ignore', 'pipe', 'inherit'], env })
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(signal, () => {
    child.kill(signal)
    void stopShared().then(() => { process.exit(130) })
  })
}
let passed = 0
let failed = 0
let skipped = 0
let buffer = ''
child.stdout.on('data', (chunk) => {
  process.stdout.write(chunk)
  buffer += chunk.toString()
  const lines = buffer.split('\n')
  buffer = lines.pop() ?? ''
  for (const line of lines) count(line)
})

// Count leaf assertions: "ok"/"not ok" lines nested at any depth, except the subtest summary
// lines that tap prints for each (sub)test after its own assertions (they end in "# time=").
let leafFailuresInFile = 0
// The names of failed assertions, printed again at the end: CI shows only the tail of the output.
const failures = []
let currentFile = ''
const subtests = []
function count (line) {
  const sub = /^(\s*)# Subtest: (.*)$/.exec(line)
  if (sub !== null) {
    const depth = sub[1].length / 4
    subtests.length = depth
    subtests[depth] = sub[2]
    if (depth === 0) currentFile = sub[2]
    return
  }
  // A test file's own result line (no indentation): a file that failed without a failing
  // assertion (a crash, a timeout) still counts as one failure.
  const top = /^(not ok|ok) \d+ - /.exec(line)
  if (top !== null) {
    if (top[1] === 'not ok' && leafFailuresInFile === 0) {
      failed++
      failures.push(`${currentFile}: ${line.trim()}`)
    }
    leafFailuresInFile = 0
    return
  }
  const m = /^\s*(not ok|ok) \d+/.exec(line)
  if (m === null || /# time=[\d.]+m?s\s*$/.test(line)) return
  if (/# SKIP|# TODO/i.test(line)) { skipped++; return }
  if (m[1] === 'ok') passed++
  else {
    failed++
    leafFailuresInFile++
    failures.push(`${subtests.filter(Boolean).join(' > ')} > ${line.trim()}`)
  }
}

child.on('close', (code) => {
  if (buffer !== '') count(buffer)
  if (failures.length > 0) console.log(`\nFailed:\n${failures.map((f) => `  ${f}`).join('\n')}`)
  console.log(`\n${passed} passed, ${failed} failed${skipped > 0 ? `, ${skipped} skipped` : ''}`)
  void stopShared().then(() => { process.exit(code ?? 1) })
})
