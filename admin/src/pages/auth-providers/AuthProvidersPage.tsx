import { useParams } from '@solidjs/router'
import { createResource, For, Show, type JSX } from 'solid-js'
import { authProviders, type AuthProvider } from '../../api/auth-providers.js'
import { createEditing, useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, Remount, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Card, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'
import { ProviderForm } from './ProviderForm.js'

/** OpenID Connect providers of the app (list, create, edit, delete; the client secret is write-only). */
export function AuthProvidersPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [list, { refetch }] = createResource(() => params.app, async (app) => await authProviders.list(app))
  const editor = createEditing<AuthProvider | null>(null)
  const del = useDeleteWithConfirm<AuthProvider>({
    remove: async (p) => { await authProviders.remove(params.app, p.id) },
    message: (p) => `Provider ${p.name} deleted`,
    onDeleted: (p) => { if (editor.current()?.id === p.id) editor.open(null) },
    refetch
  })

  const save = async (body: Record<string, unknown>): Promise<void> => {
    const current = editor.current()
    const saved = current !== null ? await authProviders.update(params.app, current.id, body) : await authProviders.create(params.app, body)
    toastSuccess(`Provider ${saved.name} saved`)
    editor.open(null)
    await refetch()
  }

  return (
    <>
      <PageHeader title='Auth providers' subtitle='OpenID Connect sign-in: users are linked by verified email, or created with the default roles.' />
      <div class='grid gap-6 xl:grid-cols-[1fr_28rem]'>
        <Card>
          <ResourceTable testId='providers-table' columns={['Name', 'Issuer', 'Roles / domains', 'Options']} actions items={list.latest} error={list.error} empty='No auth providers yet.'>
            {(p) => (
              <tr data-testid={`provider-row-${p.name}`}>
                <TD class='font-mono font-medium'>{p.name}<span class='block text-xs font-normal text-neutral-500 break-all'>callback: {p.callback_path}</span></TD>
                <TD class='max-w-xs font-mono text-xs break-all'>{p.issuer}<span class='block text-neutral-500'>client {p.client_id}</span></TD>
                <TD class='text-xs'>
                  <div class='flex flex-wrap gap-1'><For each={p.default_roles}>{(r) => <Badge tone='blue'>{r}</Badge>}</For></div>
                  <Show when={p.allowed_domains}>{(d) => <span class='block text-neutral-600'>only {d().join(', ')}</span>}</Show>
                </TD>
                <TD class='space-x-1 text-xs'>
                  {p.active ? <Badge tone='green'>active</Badge> : <Badge>inactive</Badge>}
                  {p.has_secret ? <Badge tone='amber'>secret set</Badge> : <Badge>public client</Badge>}
                </TD>
                <RowActions onEdit={() => { editor.open(p) }} onDelete={() => { del.ask(p) }} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <Card title={editor.current() !== null ? `Edit provider ${editor.current()?.name ?? ''}` : 'New provider'}>
          <Remount version={editor.version()}>
            <ProviderForm editing={editor.current()} onSubmit={save} onCancel={() => { editor.open(null) }} />
          </Remount>
        </Card>
      </div>
      <ConfirmDelete of={del} title={`Delete the provider ${del.target()?.name ?? ''}?`}>
        Logins through it stop at once; users it created keep their accounts.
      </ConfirmDelete>
    </>
  )
}
