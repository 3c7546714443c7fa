import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { permissions } from '../../api/ops.js'
import type { Permission } from '../../api/ops-types.js'
import { createEditing, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, EntityFormCard, HeaderFilter, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { PermissionForm, type PermissionBody } from './PermissionForm.js'

const condText = (p: Permission): string =>
  p.conditions.map((c) => `${c.field} ${c.operator} ${JSON.stringify(c.value)}`).join(' and ')

/** Permission policies (docs/reference.md, "Permissions"): who may read, create, update or delete which records. */
export function PermissionsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [entity, setEntity] = createSignal('')
  const [list, { refetch }] = createResource(() => ({ app: params.app, entity: entity() }), async (q) => await permissions.list(q.app, { entity: q.entity }))
  const [entities] = createResource(() => params.app, listEntities)
  const editor = createEditing<Permission | null>(null)
  const del = useDeleteWithConfirm<Permission>({
    remove: async (p) => { await permissions.remove(params.app, p.id) },
    message: (p) => `Policy ${p.action} ${p.entity} deleted`,
    onDeleted: (p) => { if (editor.current()?.id === p.id) editor.open(null) },
    refetch
  })

  const save = async (bodies: PermissionBody[]): Promise<void> => {
    const current = editor.current()
    if (current !== null) {
      const [body] = bodies
      if (body !== undefined) await permissions.update(params.app, current.id, body)
    } else {
      for (const body of bodies) await permissions.create(params.app, body)
    }
    toastSuccess(bodies.length > 1 ? `${bodies.length} policies saved` : 'Policy saved')
    editor.open(null)
    await refetch()
  }

  return (
    <>
      <PageHeader
        title='Permissions'
        subtitle='A whitelist: a request no policy allows is refused (403); the admin role bypasses policies.'
        actions={<HeaderFilter label='Entity' name='permission-entity-filter' class='!w-40' value={entity()} options={entities.latest?.map((en) => en.name)} onChange={setEntity} />}
      />
      <div class='grid gap-6 xl:grid-cols-[1fr_26rem]'>
        <Card>
          <ResourceTable testId='permissions-table' columns={['Entity', 'Action', 'Roles', 'Fields', 'Conditions']} actions items={list.latest} error={list.error} empty='No policies: only admins have access.'>
            {(p) => (
              <tr data-testid={`permission-row-${p.entity}-${p.action}`}>
                <TD class='font-mono font-medium'>{p.entity}</TD>
                <TD><Badge tone='blue'>{p.action}</Badge></TD>
                <TD><div class='flex flex-wrap gap-1'><For each={p.roles}>{(r) => <Badge>{r}</Badge>}</For></div></TD>
                <TD class='font-mono text-xs text-neutral-600'>{p.fields === null ? 'every field' : p.fields.join(', ')}</TD>
                <TD class='font-mono text-xs text-neutral-600'>{p.conditions.length === 0 ? 'every record' : condText(p)}</TD>
                <RowActions onEdit={() => { editor.open(p) }} onDelete={() => { del.ask(p) }} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <EntityFormCard title={editor.current() !== null ? `Edit policy ${editor.current()?.action ?? ''} ${editor.current()?.entity ?? ''}` : 'New policy'} entities={entities.latest} version={editor.version()}>
          {(ents) => <PermissionForm entities={ents()} editing={editor.current()} onSubmit={save} onCancel={() => { editor.open(null) }} />}
        </EntityFormCard>
      </div>
      <ConfirmDelete of={del} title={`Delete the ${del.target()?.action ?? ''} policy of ${del.target()?.entity ?? ''}?`}>
        Users relying on it lose that access at once.
      </ConfirmDelete>
    </>
  )
}
