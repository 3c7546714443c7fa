import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { machinesApi, type MachineBody, type MachineRow } from '../../api/logic.js'
import { listEntities } from '../../api/metadata.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Badge, Button, Card, Empty, PageHeader, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { statesOf } from './diagram-layout.js'
import { MachineEditor } from './MachineEditor.js'

/** State machines: list, then an editor with a live diagram for a new or an existing machine. */
export function StateMachinesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [machines, { refetch }] = createResource(() => params.app, machinesApi.list)
  const [entities] = createResource(() => params.app, listEntities)
  // undefined: no editor open; null: a new machine.
  const [editing, setEditing] = createSignal<MachineRow | null | undefined>(undefined)
  const [editorKey, setEditorKey] = createSignal(0)
  const [deleting, setDeleting] = createSignal<MachineRow | null>(null)

  const open = (m: MachineRow | null | undefined): void => {
    setEditing(m)
    setEditorKey((k) => k + 1)
  }
  const save = async (body: MachineBody): Promise<void> => {
    const current = editing()
    const saved = current != null ? await machinesApi.update(params.app, current.id, body) : await machinesApi.create(params.app, body)
    toastSuccess(`State machine on ${saved.entity}.${saved.field} saved`)
    open(saved)
    await refetch()
  }
  const remove = async (): Promise<void> => {
    const m = deleting()
    if (m === null) return
    try {
      await machinesApi.remove(params.app, m.id)
      toastSuccess('State machine deleted')
      setDeleting(null)
      if (editing()?.id === m.id) open(undefined)
      await refetch()
    } catch (err) {
      toastError(err)
    }
  }

  return (
    <>
      <PageHeader
        title='State machines'
        subtitle='Allowed changes of a state field: from, to, roles, guard and actions.'
        actions={<Button onClick={() => { open(null) }}>New state machine</Button>}
      />
      <Card class='mb-6'>
        <ErrorPanel error={machines.error} />
        <Show when={machines.latest !== undefined} fallback={<Empty>Loading…</Empty>}>
          <Table testId='machines-table' head={<tr><TH>Entity.field</TH><TH>Initial</TH><TH>States</TH><TH>Transitions</TH><TH>Active</TH><TH class='text-right'>Actions</TH></tr>}>
            <For each={machines.latest} fallback={<tr><td colspan='6'><Empty>No state machines yet.</Empty></td></tr>}>
              {(m) => (
                <tr data-testid={`machine-row-${m.entity}-${m.field}`}>
                  <TD class='font-mono font-medium'>{m.entity}.{m.field}</TD>
                  <TD class='font-mono'>{m.definition.initial}</TD>
                  <TD class='font-mono text-xs text-neutral-600'>{statesOf(m.definition.initial, m.definition.transitions).join(' · ')}</TD>
                  <TD>{m.definition.transitions.length}</TD>
                  <TD><Badge tone={m.active ? 'green' : 'neutral'}>{m.active ? 'active' : 'off'}</Badge></TD>
                  <TD class='space-x-2 text-right whitespace-nowrap'>
                    <Button size='sm' variant='secondary' onClick={() => { open(m) }}>Edit</Button>
                    <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(m)}>Delete</Button>
                  </TD>
                </tr>
              )}
            </For>
          </Table>
        </Show>
      </Card>
      <Show when={editing() !== undefined && entities.latest}>
        {(list) => (
          <Show when={editorKey()} keyed>
            <MachineEditor entities={list()} editing={editing() ?? null} onSubmit={save} onCancel={() => { open(undefined) }} />
          </Show>
        )}
      </Show>
      <ConfirmDialog open={deleting() !== null} title='Delete this state machine?' onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        Changes of {deleting()?.entity}.{deleting()?.field} are no longer checked; the data stays.
      </ConfirmDialog>
    </>
  )
}
