import { useParams, useSearchParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { workflowsApi, type WorkflowBody, type WorkflowRow } from '../../api/logic.js'
import { listEntities } from '../../api/metadata.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Badge, Button, Card, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { WorkflowBuilder } from './WorkflowBuilder.js'
import { WorkflowMonitor } from './WorkflowMonitor.js'

const TABS = [['definitions', 'Definitions'], ['monitor', 'Monitor']] as const

/** Workflows: definitions (list and builder) and the monitor (approvals, instances), as tabs kept in `?tab=`. */
export function WorkflowsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [search, setSearch] = useSearchParams<{ tab?: string }>()
  const tab = (): string => search.tab === 'monitor' ? 'monitor' : 'definitions'
  return (
    <>
      <PageHeader title='Workflows' subtitle='Started by a committed change of a field; steps run in order, approvals wait for a decision.' />
      <div role='tablist' class='mb-6 inline-flex rounded-lg bg-neutral-100 p-1'>
        <For each={TABS}>
          {([key, label]) => (
            <button
              type='button'
              role='tab'
              aria-selected={tab() === key}
              class={`rounded-md px-3 py-1.5 text-sm font-medium ${tab() === key ? 'bg-white text-neutral-900 shadow-sm' : 'text-neutral-600 hover:text-neutral-900'}`}
              onClick={() => setSearch({ tab: key === 'definitions' ? undefined : key })}
            >
              {label}
            </button>
          )}
        </For>
      </div>
      <Show when={tab() === 'monitor'} fallback={<Definitions app={params.app} />}>
        <WorkflowMonitor app={params.app} />
      </Show>
    </>
  )
}

function stepsText (w: WorkflowRow): string {
  return w.steps.map((s) => `${s.id}:${s.type}`).join(' → ')
}

function Definitions (props: { app: string }): JSX.Element {
  const [workflows, { refetch }] = createResource(() => props.app, workflowsApi.list)
  const [entities] = createResource(() => props.app, listEntities)
  // undefined: no builder open; null: a new workflow.
  const [editing, setEditing] = createSignal<WorkflowRow | null | undefined>(undefined)
  const [builderKey, setBuilderKey] = createSignal(0)
  const [deleting, setDeleting] = createSignal<WorkflowRow | null>(null)

  const open = (w: WorkflowRow | null | undefined): void => {
    setEditing(w)
    setBuilderKey((k) => k + 1)
  }
  const save = async (body: WorkflowBody): Promise<void> => {
    const current = editing()
    const saved = current != null ? await workflowsApi.update(props.app, current.id, body) : await workflowsApi.create(props.app, body)
    toastSuccess(`Workflow ${saved.name} saved`)
    open(saved)
    await refetch()
  }
  const remove = async (): Promise<void> => {
    const w = deleting()
    if (w === null) return
    try {
      await workflowsApi.remove(props.app, w.id)
      toastSuccess(`Workflow ${w.name} deleted`)
      setDeleting(null)
      if (editing()?.id === w.id) open(undefined)
      await refetch()
    } catch (err) {
      toastError(err)
    }
  }

  return (
    <>
      <Card class='mb-6' title='Definitions' actions={<Button size='sm' onClick={() => { open(null) }}>New workflow</Button>}>
        <ErrorPanel error={workflows.error} />
        <Show when={workflows.latest !== undefined} fallback={<Empty>Loading…</Empty>}>
          <Table testId='workflows-table' head={<tr><TH>Name</TH><TH>Trigger</TH><TH>Steps</TH><TH>Active</TH><TH class='text-right'>Actions</TH></tr>}>
            <For each={workflows.latest} fallback={<tr><td colspan='5'><Empty>No workflows yet.</Empty></td></tr>}>
              {(w) => (
                <tr data-testid={`workflow-row-${w.name}`}>
                  <TD class='font-medium'>{w.name}</TD>
                  <TD class='font-mono text-xs'>{w.trigger.entity}.{w.trigger.field} → {JSON.stringify(w.trigger.to)}</TD>
                  <TD class='max-w-md'><code class='block truncate font-mono text-xs text-neutral-700' title={stepsText(w)}>{stepsText(w)}</code></TD>
                  <TD><Badge tone={w.active ? 'green' : 'neutral'}>{w.active ? 'active' : 'off'}</Badge></TD>
                  <TD class='space-x-2 text-right whitespace-nowrap'>
                    <Button size='sm' variant='secondary' onClick={() => { open(w) }}>Edit</Button>
                    <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(w)}>Delete</Button>
                  </TD>
                </tr>
              )}
            </For>
          </Table>
        </Show>
      </Card>
      <Show when={editing() !== undefined && entities.latest}>
        {(list) => (
          <Show when={builderKey()} keyed>
            <WorkflowBuilder entities={list()} editing={editing() ?? null} onSubmit={save} onCancel={() => { open(undefined) }} />
          </Show>
        )}
      </Show>
      <ConfirmDialog open={deleting() !== null} title={`Delete workflow ${deleting()?.name ?? ''}?`} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        Running instances of it are cancelled.
      </ConfirmDialog>
    </>
  )
}
