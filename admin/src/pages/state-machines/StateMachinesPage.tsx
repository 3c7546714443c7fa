import { useParams } from '@solidjs/router'
import { createResource, type JSX } from 'solid-js'
import { machinesApi, type MachineBody, type MachineRow } from '../../api/logic.js'
import { listEntities } from '../../api/metadata.js'
import { createEditing, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, EntityEditorSlot, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Button, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { statesOf } from './diagram-layout.js'
import { MachineEditor } from './MachineEditor.js'

/** State machines: list, then an editor with a live diagram for a new or an existing machine. */
export function StateMachinesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [machines, { refetch }] = createResource(() => params.app, machinesApi.list)
  const [entities] = createResource(() => params.app, listEntities)
  // undefined: no editor open; null: a new machine.
  const editor = createEditing<MachineRow | null | undefined>(undefined)
  const del = useDeleteWithConfirm<MachineRow>({
    remove: async (m) => { await machinesApi.remove(params.app, m.id) },
    message: () => 'State machine deleted',
    onDeleted: (m) => { if (editor.current()?.id === m.id) editor.open(undefined) },
    refetch
  })

  const save = async (body: MachineBody): Promise<void> => {
    const current = editor.current()
    const saved = current != null ? await machinesApi.update(params.app, current.id, body) : await machinesApi.create(params.app, body)
    toastSuccess(`State machine on ${saved.entity}.${saved.field} saved`)
    editor.open(saved)
    await refetch()
  }

  return (
    <>
      <PageHeader
        title='State machines'
        subtitle='Allowed changes of a state field: from, to, roles, guard and actions.'
        actions={<Button onClick={() => { editor.open(null) }}>New state machine</Button>}
      />
      <Card class='mb-6'>
        <ResourceTable testId='machines-table' columns={['Entity.field', 'Initial', 'States', 'Transitions', 'Active']} actions items={machines.latest} error={machines.error} empty='No state machines yet.'>
          {(m) => (
            <tr data-testid={`machine-row-${m.entity}-${m.field}`}>
              <TD class='font-mono font-medium'>{m.entity}.{m.field}</TD>
              <TD class='font-mono'>{m.definition.initial}</TD>
              <TD class='font-mono text-xs text-neutral-600'>{statesOf(m.definition.initial, m.definition.transitions).join(' · ')}</TD>
              <TD>{m.definition.transitions.length}</TD>
              <TD><Badge tone={m.active ? 'green' : 'neutral'}>{m.active ? 'active' : 'off'}</Badge></TD>
              <RowActions onEdit={() => { editor.open(m) }} onDelete={() => { del.ask(m) }} />
            </tr>
          )}
        </ResourceTable>
      </Card>
      <EntityEditorSlot editor={editor} entities={entities.latest}>
        {(list) => <MachineEditor entities={list()} editing={editor.current() ?? null} onSubmit={save} onCancel={() => { editor.open(undefined) }} />}
      </EntityEditorSlot>
      <ConfirmDelete of={del} title='Delete this state machine?'>
        Changes of {del.target()?.entity}.{del.target()?.field} are no longer checked; the data stays.
      </ConfirmDelete>
    </>
  )
}
