import { createSignal, Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import { BACKOFFS, WEBHOOK_HOOKS, WEBHOOK_METHODS, type Webhook } from '../../api/ops-types.js'
import type { EntityDef } from '../../api/types.js'
import { ChoiceSelect, EntitySelect, FormActions } from '../../components/form-parts.js'
import { createSubmit, detailFor, parseJson } from '../../components/forms.js'
import { JsonEditor } from '../../components/JsonEditor.js'
import { Checkbox, FormField, Input } from '../../components/ui.js'
import { bodyOf, draftOf, type WebhookDraft } from './webhook-form.js'

/** Create or edit a webhook (exact shape of lib/webhooks/validate.ts). */
export function WebhookForm (props: { entities: EntityDef[], editing: Webhook | null, onSubmit: (body: Record<string, unknown>) => Promise<void>, onCancel: () => void }): JSX.Element {
  const [d, setD] = createStore<WebhookDraft>(draftOf(props.editing))
  const { busy, error, setError, run } = createSubmit()
  const err = (field: string): string | undefined => detailFor(error(), field)
  const before = (): boolean => d.hook.startsWith('before_')
  const [showAdvanced, setShowAdvanced] = createSignal(props.editing !== null)

  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    const headers = d.headers.trim() === '' ? { ok: true as const, value: {} } : parseJson(d.headers)
    if (!headers.ok) { setError(new Error(`Headers: invalid JSON (${headers.message})`)); return }
    void run(async () => { await props.onSubmit(bodyOf(d, headers.value)) })
  }

  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='webhook-form'>
      <div class='grid grid-cols-2 gap-3'>
        <FormField label='Entity' error={err('entity')}>
          <EntitySelect name='webhook-entity' required value={d.entity} entities={props.entities} onChange={(v) => setD('entity', v)} />
        </FormField>
        <FormField label='Hook' error={err('hook')}>
          <ChoiceSelect name='webhook-hook' value={d.hook} options={WEBHOOK_HOOKS} onChange={(v) => setD('hook', v)} />
        </FormField>
      </div>
      <div class='grid grid-cols-[7rem_1fr] gap-3'>
        <FormField label='Method' error={err('method')}>
          <ChoiceSelect name='webhook-method' value={d.method} options={WEBHOOK_METHODS} onChange={(v) => setD('method', v)} />
        </FormField>
        <FormField label='URL' error={err('url')}>
          <Input name='webhook-url' required class='font-mono' placeholder='https://example.com/hook' value={d.url} onInput={(e) => setD('url', e.currentTarget.value)} />
        </FormField>
      </div>
      <FormField label='Condition' hint='an expression on the record, e.g. record.status == "paid" (empty: always)' error={err('condition')}>
        <Input name='webhook-condition' class='font-mono' value={d.condition} onInput={(e) => setD('condition', e.currentTarget.value)} />
      </FormField>
      <div class='flex flex-wrap gap-x-6 gap-y-2'>
        <Checkbox name='webhook-async' label={before() ? 'Async (before_* hooks are always sync: they can veto the write)' : 'Async (outbox, retried)'} checked={d.async && !before()} disabled={before()} onChange={(v) => setD('async', v)} />
        <Checkbox name='webhook-active' label='Active' checked={d.active} onChange={(v) => setD('active', v)} />
      </div>
      <Show when={err('async')}>{(m) => <span class='block text-xs text-red-600'>{m()}</span>}</Show>
      <button type='button' class='text-xs text-neutral-600 underline' onClick={() => setShowAdvanced((v) => !v)}>{showAdvanced() ? 'Hide' : 'Show'} headers, secret, retry and timeout</button>
      <Show when={showAdvanced()}>
        <FormField label='Headers' hint='a JSON object; values may use {{env.ROCKET_WEBHOOK_ENV_NAME}}' error={err('headers')}>
          <JsonEditor name='webhook-headers' rows={4} value={d.headers} onInput={(v) => setD('headers', v)} allowEmpty />
        </FormField>
        <FormField label='Secret (HMAC-SHA256 signature in X-Rocket-Signature)' hint={props.editing?.has_secret === true ? 'a secret is set: leave empty to keep it' : 'write-only; empty: no signature'} error={err('secret')}>
          <Input name='webhook-secret' type='password' autocomplete='off' disabled={d.removeSecret} value={d.secret} onInput={(e) => setD('secret', e.currentTarget.value)} />
        </FormField>
        <Show when={props.editing?.has_secret === true}>
          <Checkbox name='webhook-remove-secret' label='Remove the secret' checked={d.removeSecret} onChange={(v) => setD('removeSecret', v)} />
        </Show>
        <div class='grid grid-cols-3 gap-3'>
          <FormField label='Max attempts' error={err('retry.max_attempts')}>
            <Input name='webhook-max-attempts' type='number' min='1' max='10' value={d.max_attempts} onInput={(e) => setD('max_attempts', e.currentTarget.value)} />
          </FormField>
          <FormField label='Backoff' error={err('retry.backoff')}>
            <ChoiceSelect name='webhook-backoff' value={d.backoff} options={BACKOFFS} onChange={(v) => setD('backoff', v)} />
          </FormField>
          <FormField label='Timeout (ms)' error={err('timeout_ms')}>
            <Input name='webhook-timeout' type='number' min='100' value={d.timeout_ms} onInput={(e) => setD('timeout_ms', e.currentTarget.value)} />
          </FormField>
        </div>
      </Show>
      <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='webhook' onCancel={() => { props.onCancel() }} />
    </form>
  )
}
