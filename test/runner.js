// Runs compiled test files (test/build.js) as plain `node` processes, `jobs` at a time, for
// test/run.js (docs/ARCHITECTURE.md, "Tests"). A tap test file is a program that prints TAP; tap's
// own runner adds two module loader hooks and source maps to every file it starts (for coverage,
// which this suite does not collect), and those cost a file's module loading about a fifth again.
import { spawn } from 'node:child_process'
import { readdirSync, statSync } from 'node:fs'
import path from 'node:path'

/**
 * The test files under `dir` (repository-relative paths of the sources, `test/…/x.test.ts`), the
 * longest first so the run does not end waiting on one of them: real processes and browsers, then
 * the rest by size.
 */
export function listTestFiles (root, dir = 'test') {
  const files = readdirSync(path.join(root, dir), { recursive: true })
    .filter((f) => f.endsWith('.test.ts'))
    .map((f) => path.join(dir, f))
  const weight = (f) => (f.startsWith('test/process/') ? 2e9 : f.startsWith('test/browser/') ? 1e9 : 0) + statSync(path.join(root, f)).size
  return files.sort((a, b) => weight(b) - weight(a) || a.localeCompare(b))
}

/**
 * Runs `files` (each as `{ name, script }`) `jobs` at a time with `env`; calls `onDone({ name,
 * output, code, signal, ms })` as each ends. A file still running `killAfterMs` after it started
 * (tap's own TAP_TIMEOUT should have ended it) gets SIGTERM, then SIGKILL. Resolves when all ended;
 * `stop()` ends the ones running and starts no more.
 */
export function runTestFiles (files, { jobs, env, cwd, killAfterMs, onDone }) {
  const queue = [...files]
  const running = new Set()
  let stopped = false
  let finish
  const done = new Promise((resolve) => { finish = resolve })

  const startNext = () => {
    if (stopped || queue.length === 0) {
      if (running.size === 0) finish()
      return
    }
    const file = queue.shift()
    const started = Date.now()
    const child = spawn(process.execPath, [file.script], { cwd, env, stdio: ['ignore', 'pipe', 'inherit'] })
    running.add(child)
    let output = ''
    child.stdout.setEncoding('utf8')
    child.stdout.on('data', (chunk) => { output += chunk })
    const timer = setTimeout(() => {
      output += `\n# killed by test/runner.js after ${killAfterMs} ms\n`
      child.kill('SIGTERM')
      setTimeout(() => { child.kill('SIGKILL') }, 10_000).unref()
    }, killAfterMs)
    child.on('close', (code, signal) => {
      clearTimeout(timer)
      running.delete(child)
      onDone({ name: file.name, output, code, signal, ms: Date.now() - started })
      startNext()
    })
  }

  for (let i = 0; i < jobs; i++) startNext()
  return {
    done,
    stop: () => {
      stopped = true
      for (const child of running) child.kill('SIGTERM')
    }
  }
}
