import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { listEntities } from '../../api/metadata.js'
import { permissions } from '../../api/ops.js'
import type { Permission } from '../../api/ops-types.js'
import { ConfirmDialog } from '../../components/ConfirmDialog.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { Badge, Button, Card, Empty, PageHeader, Select, Table, TD, TH } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { PermissionForm, type PermissionBody } from './PermissionForm.js'

const condText = (p: Permission): string =>
  p.conditions.map((c) => `${c.field} ${c.operator} ${JSON.stringify(c.value)}`).join(' and ')

/** Permission policies (SPEC §8): who may read, create, update or delete which records. */
export function PermissionsPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [entity, setEntity] = createSignal('')
  const [list, { refetch }] = createResource(() => ({ app: params.app, entity: entity() }), async (q) => await permissions.list(q.app, { entity: q.entity }))
  const [entities] = createResource(() => params.app, listEntities)
  const [editing, setEditing] = createSignal<Permission | null>(null)
  const [deleting, setDeleting] = createSignal<Permission | null>(null)
  const [formKey, setFormKey] = createSignal(0)
  const resetForm = (p: Permission | null): void => { setEditing(p); setFormKey((k) => k + 1) }

  const save = async (bodies: PermissionBody[]): Promise<void> => {
    const current = editing()
    if (current !== null) {
      const [body] = bodies
      if (body !== undefined) await permissions.update(params.app, current.id, body)
    } else {
      for (const body of bodies) await permissions.create(params.app, body)
    }
    toastSuccess(bodies.length > 1 ? `${bodies.length} policies saved` : 'Policy saved')
    resetForm(null)
    await refetch()
  }
  const remove = async (): Promise<void> => {
    const p = deleting()
    if (p === null) return
    try {
      await permissions.remove(params.app, p.id)
      toastSuccess(`Policy ${p.action} ${p.entity} deleted`)
      setDeleting(null)
      if (editing()?.id === p.id) resetForm(null)
      await refetch()
    } catch (err) { toastError(err) }
  }

  return (
    <>
      <PageHeader
        title='Permissions'
        subtitle='A whitelist: a request no policy allows is refused (403); the admin role bypasses policies.'
        actions={
          <label class='flex items-center gap-2 text-xs text-neutral-600'>Entity
            <Select name='permission-entity-filter' class='!w-40' value={entity()} onChange={(e) => setEntity(e.currentTarget.value)}>
              <option value=''>all</option>
              <For each={entities.latest}>{(en) => <option value={en.name}>{en.name}</option>}</For>
            </Select>
          </label>
        }
      />
      <div class='grid gap-6 xl:grid-cols-[1fr_26rem]'>
        <Card>
          <ErrorPanel error={list.error} />
          <Show when={list.latest} fallback={<Empty>Loading…</Empty>}>
            {(rows) => (
              <Table testId='permissions-table' head={<tr><TH>Entity</TH><TH>Action</TH><TH>Roles</TH><TH>Conditions</TH><TH class='text-right'>Actions</TH></tr>}>
                <For each={rows()} fallback={<tr><td colspan='5'><Empty>No policies: only admins have access.</Empty></td></tr>}>
                  {(p) => (
                    <tr data-testid={`permission-row-${p.entity}-${p.action}`}>
                      <TD class='font-mono font-medium'>{p.entity}</TD>
                      <TD><Badge tone='blue'>{p.action}</Badge></TD>
                      <TD><div class='flex flex-wrap gap-1'><For each={p.roles}>{(r) => <Badge>{r}</Badge>}</For></div></TD>
                      <TD class='font-mono text-xs text-neutral-600'>{p.conditions.length === 0 ? 'every record' : condText(p)}</TD>
                      <TD class='space-x-2 text-right whitespace-nowrap'>
                        <Button size='sm' variant='secondary' onClick={() => { resetForm(p) }}>Edit</Button>
                        <Button size='sm' variant='ghost' class='!text-red-600' onClick={() => setDeleting(p)}>Delete</Button>
                      </TD>
                    </tr>
                  )}
                </For>
              </Table>
            )}
          </Show>
        </Card>
        <Card title={editing() !== null ? `Edit policy ${editing()?.action ?? ''} ${editing()?.entity ?? ''}` : 'New policy'}>
          <Show when={entities.latest} fallback={<Empty>Loading entities…</Empty>}>
            {(ents) => (
              <Show when={formKey() + 1} keyed>
                <PermissionForm entities={ents()} editing={editing()} onSubmit={save} onCancel={() => { resetForm(null) }} />
              </Show>
            )}
          </Show>
        </Card>
      </div>
      <ConfirmDialog open={deleting() !== null} title={`Delete the ${deleting()?.action ?? ''} policy of ${deleting()?.entity ?? ''}?`} onCancel={() => setDeleting(null)} onConfirm={() => { void remove() }}>
        Users relying on it lose that access at once.
      </ConfirmDialog>
    </>
  )
}
