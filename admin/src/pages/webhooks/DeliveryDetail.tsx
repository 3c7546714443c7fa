import { Show, type JSX } from 'solid-js'
import type { WebhookLog } from '../../api/ops-types.js'
import { pretty, when } from '../../components/forms.js'
import { Button } from '../../components/ui.js'
import { StatusBadge } from './StatusBadge.js'

const Block = (props: { title: string, text: string, testId?: string }): JSX.Element => (
  <div>
    <h4 class='mb-1 text-xs font-medium uppercase tracking-wide text-neutral-500'>{props.title}</h4>
    <pre class='max-h-64 overflow-auto rounded-md bg-neutral-900 p-3 text-xs text-neutral-100' data-testid={props.testId}>{props.text}</pre>
  </div>
)

/** One delivery: request (headers as stored, templates unresolved), response, attempts, error, and retry. */
export function DeliveryDetail (props: { log: WebhookLog, busy: boolean, onRetry: () => void, onClose: () => void }): JSX.Element {
  return (
    <div class='space-y-3 p-4 text-sm' data-testid='delivery-detail'>
      <div class='flex flex-wrap items-center justify-between gap-2'>
        <div class='flex items-center gap-2'>
          <StatusBadge status={props.log.status} />
          <span class='font-mono text-xs'>{props.log.method} {props.log.url}</span>
        </div>
        <div class='flex gap-2'>
          <Button size='sm' disabled={props.busy} onClick={() => { props.onRetry() }}>{props.busy ? 'Re-queuing…' : 'Retry'}</Button>
          <Button size='sm' variant='ghost' onClick={() => { props.onClose() }}>Close</Button>
        </div>
      </div>
      <dl class='grid grid-cols-2 gap-x-4 gap-y-1 text-xs text-neutral-600 md:grid-cols-4'>
        <dt>Attempts</dt><dd data-testid='delivery-attempts'>{props.log.attempt} / {props.log.max_attempts}</dd>
        <dt>Response status</dt><dd data-testid='delivery-response-status'>{props.log.response_status ?? '—'}</dd>
        <dt>Entity / hook</dt><dd>{props.log.entity} · {props.log.hook}</dd>
        <dt>Next retry</dt><dd>{when(props.log.next_retry_at)}</dd>
        <dt>Created</dt><dd>{when(props.log.created_at)}</dd>
        <dt>Updated</dt><dd>{when(props.log.updated_at)}</dd>
        <dt>Idempotency key</dt><dd class='col-span-3 font-mono'>{props.log.idempotency_key}</dd>
      </dl>
      <Show when={props.log.error}>{(e) => <p class='rounded-md bg-red-50 p-2 text-xs text-red-800 ring-1 ring-red-200' data-testid='delivery-error'>{e()}</p>}</Show>
      <div class='grid gap-3 lg:grid-cols-2'>
        <Block title='Request headers' text={pretty(props.log.request_headers)} />
        <Block title='Response body' text={props.log.response_body ?? '—'} testId='delivery-response-body' />
      </div>
      <Block title='Request body' text={pretty(props.log.request_body)} testId='delivery-request-body' />
    </div>
  )
}
