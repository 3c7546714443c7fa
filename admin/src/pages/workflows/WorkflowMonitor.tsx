import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { decideInstance, INSTANCE_STATUSES, listInstances, listPending, type Instance } from '../../api/logic.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Button, Card, Empty, Input, Select, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { assigneeText, InstanceDetail, when } from './InstanceDetail.js'
import { StatusBadge } from './StatusBadge.js'

/** Pending approvals with approve/reject, every instance by status, and one instance's history. */
export function WorkflowMonitor (props: { app: string }): JSX.Element {
  const [version, setVersion] = createSignal(0)
  const [status, setStatus] = createSignal('')
  const [pending] = createResource(() => ({ app: props.app, v: version() }), async (k) => await listPending(k.app))
  const [instances] = createResource(() => ({ app: props.app, status: status(), v: version() }), async (k) => await listInstances(k.app, k.status))
  const [selected, setSelected] = createSignal<string | null>(null)
  const [comments, setComments] = createSignal<Record<string, string>>({})
  const [deciding, setDeciding] = createSignal<string | null>(null)
  const refresh = (): void => { setVersion((v) => v + 1) }

  const decide = async (i: Instance, verb: 'approve' | 'reject'): Promise<void> => {
    setDeciding(i.id)
    try {
      const after = await decideInstance(props.app, i.id, verb, comments()[i.id] ?? '')
      toastSuccess(`${verb === 'approve' ? 'Approved' : 'Rejected'}: ${after.workflow_name} is now ${after.status}`)
      setSelected(i.id)
      refresh()
    } catch (err) {
      toastError(err)
    } finally {
      setDeciding(null)
    }
  }

  return (
    <div class='space-y-6'>
      <Card title='Pending approvals' actions={<Button size='sm' variant='secondary' onClick={refresh}>Refresh</Button>}>
        <ErrorPanel error={pending.error} />
        <Table testId='pending-table' head={<tr><TH>Workflow</TH><TH>Step</TH><TH>Trigger</TH><TH>Assignee</TH><TH>Waiting since</TH><TH class='text-right'>Decision</TH></tr>}>
          <For each={pending.latest?.data} fallback={<tr><td colspan='6'><Empty>{pending.loading ? 'Loading…' : 'Nothing waits for an approval.'}</Empty></td></tr>}>
            {(i) => (
              <tr data-testid={`pending-row-${i.id}`}>
                <TD class='font-medium'>{i.workflow_name}</TD>
                <TD class='font-mono'>{i.current_step}</TD>
                <TD class='font-mono text-xs'>{i.trigger.entity} {String(i.trigger.record_id).slice(0, 8)}… → {JSON.stringify(i.trigger.to)}</TD>
                <TD class='text-xs'>{assigneeText(i.assignee, i.waiting_for)}</TD>
                <TD class='text-xs text-neutral-600'>{when(i.updated_at)}</TD>
                <TD class='text-right'>
                  <div class='flex items-center justify-end gap-2'>
                    <Input name='decision-comment' class='!w-48' placeholder='comment (optional)' value={comments()[i.id] ?? ''} onInput={(e) => { const v = e.currentTarget.value; setComments((c) => ({ ...c, [i.id]: v })) }} />
                    <Button size='sm' disabled={deciding() === i.id} onClick={() => { void decide(i, 'approve') }}>Approve</Button>
                    <Button size='sm' variant='danger' disabled={deciding() === i.id} onClick={() => { void decide(i, 'reject') }}>Reject</Button>
                    <Button size='sm' variant='ghost' onClick={() => setSelected(i.id)}>View</Button>
                  </div>
                </TD>
              </tr>
            )}
          </For>
        </Table>
      </Card>
      <div class='grid gap-6 xl:grid-cols-[minmax(0,1fr)_minmax(0,1fr)]'>
        <Card
          title='Instances'
          actions={
            <Select name='instance-status' class='!w-44' value={status()} onChange={(e) => setStatus(e.currentTarget.value)}>
              <option value=''>every status</option>
              <For each={INSTANCE_STATUSES}>{(s) => <option value={s}>{s}</option>}</For>
            </Select>
          }
        >
          <ErrorPanel error={instances.error} />
          <Table testId='instances-table' head={<tr><TH>Workflow</TH><TH>Status</TH><TH>Step</TH><TH>Updated</TH><TH /></tr>}>
            <For each={instances.latest?.data} fallback={<tr><td colspan='5'><Empty>{instances.loading ? 'Loading…' : 'No instances.'}</Empty></td></tr>}>
              {(i) => (
                <tr data-testid={`instance-row-${i.id}`} class={selected() === i.id ? 'bg-sky-50/60' : ''}>
                  <TD class='font-medium'>{i.workflow_name}</TD>
                  <TD><StatusBadge status={i.status} waitingFor={i.waiting_for} /></TD>
                  <TD class='font-mono text-xs'>{i.current_step ?? '—'}</TD>
                  <TD class='text-xs text-neutral-600'>{when(i.updated_at)}</TD>
                  <TD class='text-right'><Button size='sm' variant='secondary' onClick={() => setSelected(i.id)}>View</Button></TD>
                </tr>
              )}
            </For>
          </Table>
          <Show when={(instances.latest?.meta.total ?? 0) > (instances.latest?.data.length ?? 0)}>
            <p class='px-4 py-2 text-xs text-neutral-500'>Showing the latest {instances.latest?.data.length} of {instances.latest?.meta.total}.</p>
          </Show>
        </Card>
        <Show when={selected()} keyed fallback={<Card><Empty>Select an instance to see its history.</Empty></Card>}>
          {(id) => <InstanceDetail app={props.app} id={id} version={version()} onClose={() => setSelected(null)} />}
        </Show>
      </div>
    </div>
  )
}
