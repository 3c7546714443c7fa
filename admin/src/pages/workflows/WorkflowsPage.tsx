import { useParams, useSearchParams } from '@solidjs/router'
import { createResource, For, Show, type JSX } from 'solid-js'
import { workflowsApi, type WorkflowBody, type WorkflowRow } from '../../api/logic.js'
import { listEntities } from '../../api/metadata.js'
import { createEditing, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, EntityEditorSlot, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Button, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
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
  const editor = createEditing<WorkflowRow | null | undefined>(undefined)
  const del = useDeleteWithConfirm<WorkflowRow>({
    remove: async (w) => { await workflowsApi.remove(props.app, w.id) },
    message: (w) => `Workflow ${w.name} deleted`,
    onDeleted: (w) => { if (editor.current()?.id === w.id) editor.open(undefined) },
    refetch
  })

  const save = async (body: WorkflowBody): Promise<void> => {
    const current = editor.current()
    const saved = current != null ? await workflowsApi.update(props.app, current.id, body) : await workflowsApi.create(props.app, body)
    toastSuccess(`Workflow ${saved.name} saved`)
    editor.open(saved)
    await refetch()
  }

  return (
    <>
      <Card class='mb-6' title='Definitions' actions={<Button size='sm' onClick={() => { editor.open(null) }}>New workflow</Button>}>
        <ResourceTable testId='workflows-table' columns={['Name', 'Trigger', 'Steps', 'Active']} actions items={workflows.latest} error={workflows.error} empty='No workflows yet.'>
          {(w) => (
            <tr data-testid={`workflow-row-${w.name}`}>
              <TD class='font-medium'>{w.name}</TD>
              <TD class='font-mono text-xs'>{w.trigger.entity}.{w.trigger.field} → {JSON.stringify(w.trigger.to)}</TD>
              <TD class='max-w-md'><code class='block truncate font-mono text-xs text-neutral-700' title={stepsText(w)}>{stepsText(w)}</code></TD>
              <TD><Badge tone={w.active ? 'green' : 'neutral'}>{w.active ? 'active' : 'off'}</Badge></TD>
              <RowActions onEdit={() => { editor.open(w) }} onDelete={() => { del.ask(w) }} />
            </tr>
          )}
        </ResourceTable>
      </Card>
      <EntityEditorSlot editor={editor} entities={entities.latest}>
        {(list) => <WorkflowBuilder entities={list()} editing={editor.current() ?? null} onSubmit={save} onCancel={() => { editor.open(undefined) }} />}
      </EntityEditorSlot>
      <ConfirmDelete of={del} title={`Delete workflow ${del.target()?.name ?? ''}?`}>
        Running instances of it are cancelled.
      </ConfirmDelete>
    </>
  )
}
