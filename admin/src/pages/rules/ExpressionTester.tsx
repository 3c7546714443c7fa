import { createSignal, For, Show, type JSX } from 'solid-js'
import { ApiError } from '../../api/client.js'
import { evaluateExpression, type EvaluateBody } from '../../api/logic.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { parseJsonText } from '../../components/form-values.js'
import { Button, Card, FormField, Textarea } from '../../components/ui.js'

type Outcome = { ok: true, result: unknown } | { ok: false, error: unknown, position: number | null, source: string }

const SAMPLES = ['record', 'old', 'user', 'related'] as const
type Sample = typeof SAMPLES[number]

const HINTS: Record<Sample, string> = {
  record: 'incoming values merged over the current row',
  old: 'the current row (empty: a create)',
  user: '{"id": "…", "email": "…", "roles": ["admin"]}',
  related: 'relations as related_load would load them'
}

function objectOrNull (value: unknown, what: string): Record<string, unknown> | undefined {
  if (value === undefined) return undefined
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error(`${what} must be a JSON object`)
  return value as Record<string, unknown>
}

/** Evaluates an expression on the server (same parser and evaluator as rules) against sample variables. */
export function ExpressionTester (props: { app: string }): JSX.Element {
  const [expression, setExpression] = createSignal('')
  const [samples, setSamples] = createSignal<Record<Sample, string>>({ record: '{}', old: '', user: '', related: '' })
  const [outcome, setOutcome] = createSignal<Outcome | null>(null)
  const [busy, setBusy] = createSignal(false)

  const run = async (e: SubmitEvent): Promise<void> => {
    e.preventDefault()
    setBusy(true)
    const body: EvaluateBody = { expression: expression() }
    try {
      for (const key of SAMPLES) {
        const value = objectOrNull(parseJsonText(samples()[key], key), key)
        if (value !== undefined) body[key] = value
      }
      setOutcome({ ok: true, result: await evaluateExpression(props.app, body) })
    } catch (err) {
      const position = err instanceof ApiError ? err.details.find((d) => typeof (d as { position?: unknown }).position === 'number') as { position: number } | undefined : undefined
      setOutcome({ ok: false, error: err, position: position?.position ?? null, source: body.expression })
    } finally {
      setBusy(false)
    }
  }

  return (
    <Card title='Expression tester' class='mt-6'>
      <form class='space-y-3 p-4' onSubmit={(e) => { void run(e) }} data-testid='expression-tester'>
        <FormField label='Expression' hint="the rules' language: record.total > 100 && 'admin' in user.roles, len(x), sum(list, 'expr'), now()…">
          <Textarea name='tester-expression' rows={2} value={expression()} onInput={(e) => setExpression(e.currentTarget.value)} />
        </FormField>
        <div class='grid gap-3 md:grid-cols-2 xl:grid-cols-4'>
          <For each={SAMPLES}>{(key) => (
            <FormField label={`${key} (JSON)`} hint={HINTS[key]}>
              <Textarea name={`tester-${key}`} rows={4} value={samples()[key]} onInput={(e) => { const v = e.currentTarget.value; setSamples((s) => ({ ...s, [key]: v })) }} />
            </FormField>
          )}
          </For>
        </div>
        <Button type='submit' disabled={busy() || expression().trim() === ''}>{busy() ? 'Evaluating…' : 'Evaluate'}</Button>
        <Show when={outcome()} keyed>
          {(current) => current.ok
            ? (
              <div class='rounded-md bg-emerald-50 p-3 text-sm ring-1 ring-inset ring-emerald-200'>
                <span class='text-xs font-medium text-emerald-800'>Result</span>
                <pre class='mt-1 font-mono text-sm text-emerald-900' data-testid='tester-result'>{JSON.stringify(current.result, null, 2)}</pre>
              </div>
              )
            : (
              <div class='space-y-2' data-testid='tester-error'>
                <ErrorPanel error={current.error} />
                <Show when={current.position !== null}>
                  <div class='overflow-x-auto whitespace-pre rounded-md bg-neutral-900 p-3 font-mono text-xs text-neutral-100' data-testid='tester-caret'>
                    <div>{current.source}</div>
                    <div class='text-red-400'>{`${' '.repeat(current.position ?? 0)}^ position ${current.position ?? 0}`}</div>
                  </div>
                </Show>
              </div>
              )}
        </Show>
      </form>
    </Card>
  )
}
