import { createSignal, For, Show, type JSX } from 'solid-js'
import type { BulkInviteResult, Invite } from '../../api/ops-types.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { createSubmit, detailFor, parseEmails, parseRoles } from '../../components/forms.js'
import { Badge, Button, FormField, Input, Textarea } from '../../components/ui.js'

/** One invite: email and roles. */
export function InviteForm (props: { onSubmit: (body: { email: string, roles: string[] }) => Promise<void> }): JSX.Element {
  const [email, setEmail] = createSignal('')
  const [roles, setRoles] = createSignal('')
  const { busy, error, run } = createSubmit()
  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    void run(async () => {
      await props.onSubmit({ email: email().trim(), roles: parseRoles(roles()) })
      setEmail('')
    })
  }
  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='invite-form'>
      <FormField label='Email' error={detailFor(error(), 'email')}>
        <Input name='invite-email' type='email' required value={email()} onInput={(e) => setEmail(e.currentTarget.value)} />
      </FormField>
      <FormField label='Roles' hint='comma or space separated' error={detailFor(error(), 'roles')}>
        <Input name='invite-roles' class='font-mono' value={roles()} onInput={(e) => setRoles(e.currentTarget.value)} />
      </FormField>
      <ErrorPanel error={error()} />
      <Button type='submit' disabled={busy()}>{busy() ? 'Inviting…' : 'Create invite'}</Button>
    </form>
  )
}

/** Many invites at once (repeated addresses count once); the answer lists what was created and what was skipped, with why. */
export function BulkInviteForm (props: { onSubmit: (body: { emails: string[], roles: string[] }) => Promise<BulkInviteResult> }): JSX.Element {
  const [emails, setEmails] = createSignal('')
  const [roles, setRoles] = createSignal('')
  const [result, setResult] = createSignal<BulkInviteResult | null>(null)
  const { busy, error, run } = createSubmit()
  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    setResult(null)
    void run(async () => { setResult(await props.onSubmit({ emails: parseEmails(emails()), roles: parseRoles(roles()) })) })
  }
  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='bulk-invite-form'>
      <FormField label='Emails' hint='one per line (commas and spaces work too); at most 1000' error={detailFor(error(), 'emails')}>
        <Textarea name='bulk-emails' rows={5} value={emails()} onInput={(e) => setEmails(e.currentTarget.value)} />
      </FormField>
      <FormField label='Roles for all' error={detailFor(error(), 'roles')}>
        <Input name='bulk-roles' class='font-mono' value={roles()} onInput={(e) => setRoles(e.currentTarget.value)} />
      </FormField>
      <ErrorPanel error={error()} />
      <Button type='submit' disabled={busy()}>{busy() ? 'Inviting…' : 'Create invites'}</Button>
      <Show when={result()}>
        {(r) => (
          <div class='space-y-2 rounded-md bg-neutral-50 p-3 text-sm ring-1 ring-neutral-200' data-testid='bulk-result'>
            <p class='font-medium' data-testid='bulk-summary'>{r().summary.created} created, {r().summary.skipped} skipped of {r().summary.total}</p>
            <ul class='space-y-1 text-xs'>
              <For each={r().created}>{(i) => <li data-testid='bulk-created'><Badge tone='green'>created</Badge> {i.email}</li>}</For>
              <For each={r().skipped}>{(s) => <li data-testid='bulk-skipped'><Badge tone='amber'>skipped</Badge> {s.email} — {s.reason}</li>}</For>
            </ul>
          </div>
        )}
      </Show>
    </form>
  )
}

/** The one-time token of a new invite and how to accept it: shown once, never again. */
export function InviteToken (props: { app: string, invite: Invite, onClose: () => void }): JSX.Element {
  const copy = (): void => { void navigator.clipboard?.writeText(props.invite.token ?? '') }
  return (
    <div class='mb-6 rounded-lg bg-emerald-50 p-4 text-sm text-emerald-900 ring-1 ring-emerald-200' data-testid='invite-token-panel'>
      <div class='flex items-start justify-between gap-4'>
        <div class='min-w-0'>
          <p class='font-medium'>Invite for {props.invite.email} created and mailed to them (the invite mail template). Copy its token now if you hand it over yourself: it is not shown again.</p>
          <code class='mt-2 block break-all rounded bg-white px-2 py-1 font-mono text-xs ring-1 ring-emerald-200' data-testid='invite-token'>{props.invite.token}</code>
          <p class='mt-2 text-xs'>The invitee accepts with <code class='font-mono'>POST /api/{props.app}/auth/accept-invite</code> and <code class='font-mono'>{'{"token": "…", "password": "…"}'}</code> (valid 72 h).</p>
        </div>
        <div class='flex shrink-0 gap-2'>
          <Button size='sm' variant='secondary' onClick={copy}>Copy</Button>
          <Button size='sm' variant='ghost' onClick={() => { props.onClose() }}>Dismiss</Button>
        </div>
      </div>
    </div>
  )
}
