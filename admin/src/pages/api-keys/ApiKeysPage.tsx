import { useParams } from '@solidjs/router'
import { createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { API_KEY_STATUSES, apiKeys, type ApiKey, type ApiKeyStatus } from '../../api/access.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { createSubmit, detailFor, parseRoles, when } from '../../components/forms.js'
import { useDeleteWithConfirm } from '../../components/list-state.js'
import { ConfirmDelete, HeaderFilter, ResourceTable, RowActions } from '../../components/ResourceList.js'
import { Badge, Button, Card, FormField, Input, PageHeader, TD } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'

const TONES: Record<ApiKeyStatus, 'neutral' | 'green' | 'amber'> = { active: 'green', expired: 'amber', revoked: 'neutral' }

/** Name, roles and an optional expiry (a local date-time, sent as ISO). */
function ApiKeyForm (props: { onSubmit: (body: { name: string, roles: string[], expires_at: string | null }) => Promise<void> }): JSX.Element {
  const [name, setName] = createSignal('')
  const [roles, setRoles] = createSignal('')
  const [expires, setExpires] = createSignal('')
  const { busy, error, run } = createSubmit()
  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    void run(async () => {
      const at = expires() === '' ? null : new Date(expires()).toISOString()
      await props.onSubmit({ name: name().trim(), roles: parseRoles(roles()), expires_at: at })
      setName('')
      setExpires('')
    })
  }
  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='api-key-form'>
      <FormField label='Name' error={detailFor(error(), 'name')}>
        <Input name='api-key-name' required value={name()} onInput={(e) => setName(e.currentTarget.value)} />
      </FormField>
      <FormField label='Roles' hint='comma or space separated' error={detailFor(error(), 'roles')}>
        <Input name='api-key-roles' class='font-mono' value={roles()} onInput={(e) => setRoles(e.currentTarget.value)} />
      </FormField>
      <FormField label='Expires' hint='optional; empty: never' error={detailFor(error(), 'expires_at')}>
        <Input name='api-key-expires' type='datetime-local' value={expires()} onInput={(e) => setExpires(e.currentTarget.value)} />
      </FormField>
      <ErrorPanel error={error()} />
      <Button type='submit' disabled={busy()}>{busy() ? 'Creating…' : 'Create API key'}</Button>
    </form>
  )
}

/** The new key, shown once. */
function NewKey (props: { app: string, apiKey: ApiKey, onClose: () => void }): JSX.Element {
  const copy = (): void => { void navigator.clipboard?.writeText(props.apiKey.key ?? '') }
  return (
    <div class='mb-6 rounded-lg bg-emerald-50 p-4 text-sm text-emerald-900 ring-1 ring-emerald-200' data-testid='api-key-panel'>
      <div class='flex items-start justify-between gap-4'>
        <div class='min-w-0'>
          <p class='font-medium'>API key “{props.apiKey.name}” created. Copy it now: it is not shown again.</p>
          <code class='mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-emerald-200' data-testid='api-key-value'>{props.apiKey.key}</code>
          <p class='mt-2 text-xs'>Send it as <code class='font-mono'>X-API-Key: rk_…</code> or <code class='font-mono'>Authorization: Bearer rk_…</code> to <code class='font-mono'>/api/{props.app}/…</code>.</p>
        </div>
        <div class='flex shrink-0 gap-2'>
          <Button size='sm' variant='secondary' onClick={copy}>Copy</Button>
          <Button size='sm' variant='ghost' onClick={() => { props.onClose() }}>Dismiss</Button>
        </div>
      </div>
    </div>
  )
}

/** API keys: list by status, create (the key is shown once), revoke. */
export function ApiKeysPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [status, setStatus] = createSignal('')
  const [list, { refetch }] = createResource(() => ({ app: params.app, status: status() }),
    async (q) => await apiKeys.list(q.app, q.status === '' ? undefined : { status: q.status }))
  const [created, setCreated] = createSignal<ApiKey | null>(null)
  const revoking = useDeleteWithConfirm<ApiKey>({
    remove: async (k) => { await apiKeys.revoke(params.app, k.id) },
    message: (k) => `API key ${k.name} revoked`,
    refetch
  })
  const create = async (body: { name: string, roles: string[], expires_at: string | null }): Promise<void> => {
    const k = await apiKeys.create(params.app, body)
    setCreated(k)
    toastSuccess(`API key ${k.name} created`)
    await refetch()
  }
  return (
    <>
      <PageHeader
        title='API keys'
        subtitle='Credentials for scripts and services: they act with their roles; revoking one stops it within a second.'
        actions={<HeaderFilter label='Status' name='api-key-status-filter' class='!w-32' value={status()} options={API_KEY_STATUSES} onChange={setStatus} />}
      />
      <Show when={created()?.key !== undefined ? created() : null}>{(k) => <NewKey app={params.app} apiKey={k()} onClose={() => setCreated(null)} />}</Show>
      <div class='grid gap-6 xl:grid-cols-[1fr_24rem]'>
        <Card>
          <ResourceTable testId='api-keys-table' columns={['Name', 'Key', 'Roles', 'Status', 'Expires', 'Last used']} actions items={list.latest} error={list.error} empty='No API keys.'>
            {(k) => (
              <tr data-testid={`api-key-row-${k.name}`}>
                <TD class='font-medium'>{k.name}</TD>
                <TD class='font-mono text-xs'>{k.prefix}…</TD>
                <TD><div class='flex flex-wrap gap-1'><For each={k.roles}>{(r) => <Badge tone='blue'>{r}</Badge>}</For></div></TD>
                <TD><Badge tone={TONES[k.status]}>{k.status}</Badge></TD>
                <TD class='text-xs text-neutral-600'>{k.expires_at === null ? 'never' : when(k.expires_at)}</TD>
                <TD class='text-xs text-neutral-600'>{k.last_used_at === null ? '—' : when(k.last_used_at)}</TD>
                <RowActions deleteLabel='Revoke' onDelete={k.status !== 'revoked' ? () => { revoking.ask(k) } : undefined} />
              </tr>
            )}
          </ResourceTable>
        </Card>
        <Card title='New API key'><ApiKeyForm onSubmit={create} /></Card>
      </div>
      <ConfirmDelete of={revoking} title={`Revoke the API key ${revoking.target()?.name ?? ''}?`} confirmLabel='Revoke'>
        Requests with it are refused from now on, in every server process.
      </ConfirmDelete>
    </>
  )
}
