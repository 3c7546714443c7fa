import { createResource, For, Show, type JSX } from 'solid-js'
import { getInstance, type Assignee, type Instance } from '../../api/logic.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Button, Card, Empty } from '../../components/ui.js'
import { StatusBadge } from './StatusBadge.js'

/** An approval without an assignee is decided by admins only. */
export const assigneeText = (a: Assignee | null, waitingFor: string | null = null): string => a === null ? (waitingFor === 'approval' ? 'admins' : '—') : a.type === 'role' ? `role ${a.role}` : `user ${a.user_id}`
export const when = (iso: string | null): string => iso === null ? '—' : new Date(iso).toLocaleString()

/** One instance with its trigger, context and history (`GET /_workflows/:id`). */
export function InstanceDetail (props: { app: string, id: string, version: number, onClose: () => void }): JSX.Element {
  const [instance] = createResource(() => ({ app: props.app, id: props.id, v: props.version }), async (k) => await getInstance(k.app, k.id))
  return (
    <Card title='Instance' actions={<Button size='sm' variant='ghost' onClick={() => { props.onClose() }}>Close</Button>}>
      <ErrorPanel error={instance.error} />
      <Show when={instance.latest} fallback={<Empty>Loading…</Empty>}>
        {(i) => <InstanceBody instance={i()} />}
      </Show>
    </Card>
  )
}

function InstanceBody (props: { instance: Instance }): JSX.Element {
  const i = (): Instance => props.instance
  return (
    <div class='space-y-4 p-4 text-sm' data-testid='instance-detail' data-status={i().status}>
      <dl class='grid grid-cols-[8rem_1fr] gap-x-3 gap-y-1.5'>
        <dt class='text-neutral-500'>Workflow</dt><dd class='font-medium'>{i().workflow_name}</dd>
        <dt class='text-neutral-500'>Status</dt><dd><StatusBadge status={i().status} waitingFor={i().waiting_for} /></dd>
        <dt class='text-neutral-500'>Current step</dt><dd class='font-mono'>{i().current_step ?? '—'}</dd>
        <dt class='text-neutral-500'>Assignee</dt><dd>{assigneeText(i().assignee, i().waiting_for)}</dd>
        <dt class='text-neutral-500'>Trigger</dt>
        <dd class='font-mono text-xs'>{i().trigger.entity}.{i().trigger.field}: {JSON.stringify(i().trigger.from)} → {JSON.stringify(i().trigger.to)} <span class='text-neutral-500'>(record {String(i().trigger.record_id)})</span></dd>
        <dt class='text-neutral-500'>Started</dt><dd>{when(i().created_at)}</dd>
        <dt class='text-neutral-500'>Deadline</dt><dd>{when(i().current_step_deadline)}</dd>
      </dl>
      <div>
        <h3 class='mb-1 text-xs font-semibold uppercase tracking-wide text-neutral-500'>Context</h3>
        <pre class='overflow-x-auto rounded-md bg-neutral-50 p-2 font-mono text-xs ring-1 ring-inset ring-neutral-200'>{JSON.stringify(i().context, null, 2)}</pre>
      </div>
      <div>
        <h3 class='mb-1 text-xs font-semibold uppercase tracking-wide text-neutral-500'>History</h3>
        <ol class='space-y-1.5 border-l-2 border-neutral-200 pl-4' data-testid='instance-history'>
          <For each={i().history}>
            {(h) => (
              <li data-testid='history-entry' class='text-sm'>
                <span class='font-mono text-xs text-neutral-500'>{when(h.at)}</span>{' '}
                <span class='font-mono text-xs font-medium'>{h.step ?? '(start)'}</span>{' '}
                <span class='text-neutral-700'>{h.status}</span>
                <Show when={h.by !== null}><span class='text-neutral-500'> by {h.by}</span></Show>
                <Show when={h.detail !== undefined && Object.keys(h.detail).length > 0}>
                  <code class='block truncate font-mono text-xs text-neutral-500' title={JSON.stringify(h.detail)}>{JSON.stringify(h.detail)}</code>
                </Show>
              </li>
            )}
          </For>
        </ol>
      </div>
    </div>
  )
}
