import { useParams } from '@solidjs/router'
import { createResource, For, type JSX } from 'solid-js'
import { users } from '../../api/ops.js'
import type { AppUser } from '../../api/ops-types.js'
import { when } from '../../components/forms.js'
import { createEditing, createPaging, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, Remount, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Button, Card, PageHeader, TD } from '../../components/ui.js'
import { toastError, toastSuccess } from '../../state/toasts.js'
import { UserForm, type UserBody } from './UserForm.js'

/** The app's users: list, create (with a write-only password), edit, deactivate, delete. */
export function UsersPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const paging = createPaging()
  const [list, { refetch }] = createResource(() => ({ app: params.app, ...paging.query() }), async (q) => await users.page(q.app, { page: q.page, per_page: q.per_page }))
  const editor = createEditing<AppUser | null>(null)
  const del = useDeleteWithConfirm<AppUser>({
    remove: async (u) => { await users.remove(params.app, u.id) },
    message: (u) => `User ${u.email} deleted`,
    onDeleted: (u) => { if (editor.current()?.id === u.id) editor.open(null) },
    refetch
  })

  const save = async (body: UserBody): Promise<void> => {
    const current = editor.current()
    const saved = current !== null ? await users.update(params.app, current.id, body) : await users.create(params.app, body)
    toastSuccess(`User ${saved.email} saved`)
    editor.open(null)
    await refetch()
  }
  const setActive = async (u: AppUser, active: boolean): Promise<void> => {
    try {
      await users.update(params.app, u.id, { active })
      toastSuccess(`User ${u.email} ${active ? 'reactivated' : 'deactivated'}`)
      await refetch()
    } catch (err) { toastError(err) }
  }

  return (
    <>
      <PageHeader title='Users' subtitle='People who sign in to this app. Passwords are write-only; roles drive permissions.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_24rem]'>
        <Card>
          <ResourceTable testId='users-table' columns={['Email', 'Roles', 'Status', 'Created']} actions items={list.latest?.data} meta={list.latest?.meta} paging={paging} error={list.error} empty='No users yet.'>
            {(u) => (
              <tr data-testid={`user-row-${u.email}`}>
                <TD class='font-medium'>{u.email}</TD>
                <TD><div class='flex flex-wrap gap-1'><For each={u.roles} fallback={<span class='text-xs text-neutral-400'>none</span>}>{(r) => <Badge tone='blue'>{r}</Badge>}</For></div></TD>
                <TD>{u.active ? <Badge tone='green'>active</Badge> : <Badge tone='amber'>inactive</Badge>}</TD>
                <TD class='text-xs text-neutral-600'>{when(u.created_at)}</TD>
                <RowActions onEdit={() => { editor.open(u) }} onDelete={() => { del.ask(u) }}>
                  <Button size='sm' variant='secondary' onClick={() => { void setActive(u, !u.active) }}>{u.active ? 'Deactivate' : 'Reactivate'}</Button>
                </RowActions>
              </tr>
            )}
          </ResourceTable>
        </Card>
        <Card title={editor.current() !== null ? `Edit ${editor.current()?.email ?? ''}` : 'New user'}>
          <Remount version={editor.version()}>
            <UserForm editing={editor.current()} onSubmit={save} onCancel={() => { editor.open(null) }} />
          </Remount>
        </Card>
      </div>
      <ConfirmDelete of={del} title={`Delete user ${del.target()?.email ?? ''}?`}>
        The account is removed and its tokens stop working. To keep the history, deactivate instead.
      </ConfirmDelete>
    </>
  )
}
