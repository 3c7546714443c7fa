import { useParams } from '@solidjs/router'
import { createEffect, createResource, createSignal, For, Show, type JSX } from 'solid-js'
import { mail, type MailKind, type MailSettings, type MailTemplate } from '../../api/access.js'
import { ErrorPanel } from '../../components/ErrorPanel.js'
import { createSubmit, detailFor } from '../../components/forms.js'
import { Badge, Button, Card, FormField, Input, PageHeader, Textarea } from '../../components/ui.js'
import { toastSuccess } from '../../state/toasts.js'

const TITLES: Record<MailKind, string> = { reset: 'Password reset', verify: 'Email verification', invite: 'Invite' }

/** One template: subject, text (must hold {{link}}), optional HTML; save or go back to the built-in text. */
function TemplateEditor (props: { app: string, template: MailTemplate, onSaved: () => Promise<void> }): JSX.Element {
  const [subject, setSubject] = createSignal('')
  const [text, setText] = createSignal('')
  const [html, setHtml] = createSignal('')
  createEffect(() => {
    setSubject(props.template.subject)
    setText(props.template.text)
    setHtml(props.template.html ?? '')
  })
  const { busy, error, run } = createSubmit()
  const kind = (): MailKind => props.template.kind
  const save = (e: SubmitEvent): void => {
    e.preventDefault()
    void run(async () => {
      await mail.save(props.app, kind(), { subject: subject(), text: text(), html: html().trim() === '' ? null : html() })
      toastSuccess(`${TITLES[kind()]} template saved`)
      await props.onSaved()
    })
  }
  const restore = (): void => {
    void run(async () => {
      await mail.reset(props.app, kind())
      toastSuccess(`${TITLES[kind()]} template back to the default`)
      await props.onSaved()
    })
  }
  return (
    <form class='space-y-3 p-4' onSubmit={save} data-testid={`mail-template-${props.template.kind}`}>
      <FormField label='Subject' error={detailFor(error(), 'subject')}>
        <Input name='mail-subject' value={subject()} onInput={(e) => setSubject(e.currentTarget.value)} />
      </FormField>
      <FormField label='Text' hint='placeholders: {{link}} (required), {{email}}, {{app}}' error={detailFor(error(), 'text')}>
        <Textarea name='mail-text' rows={7} class='font-mono' value={text()} onInput={(e) => setText(e.currentTarget.value)} />
      </FormField>
      <FormField label='HTML' hint='optional; values are HTML-escaped' error={detailFor(error(), 'html')}>
        <Textarea name='mail-html' rows={5} class='font-mono' value={html()} onInput={(e) => setHtml(e.currentTarget.value)} />
      </FormField>
      <ErrorPanel error={error()} />
      <div class='flex gap-2'>
        <Button type='submit' disabled={busy()}>{busy() ? 'Saving…' : 'Save template'}</Button>
        <Button type='button' variant='secondary' disabled={busy() || props.template.is_default} onClick={restore}>Reset to default</Button>
      </div>
    </form>
  )
}

/** Where the links in mails point, and where mails go. */
function SettingsForm (props: { app: string, settings: MailSettings, onSaved: () => Promise<void> }): JSX.Element {
  const [url, setUrl] = createSignal('')
  createEffect(() => { setUrl(props.settings.app_url ?? '') })
  const { busy, error, run } = createSubmit()
  const save = (e: SubmitEvent): void => {
    e.preventDefault()
    void run(async () => {
      await mail.saveSettings(props.app, url().trim() === '' ? null : url().trim())
      toastSuccess('Mail settings saved')
      await props.onSaved()
    })
  }
  return (
    <form class='space-y-3 p-4' onSubmit={save} data-testid='mail-settings-form'>
      <FormField label='App URL' hint={`links: <app url>/reset-password?token=…; now ${props.settings.effective_app_url}`} error={detailFor(error(), 'app_url')}>
        <Input name='mail-app-url' placeholder='https://app.example.com' value={url()} onInput={(e) => setUrl(e.currentTarget.value)} />
      </FormField>
      <p class='text-xs text-neutral-600' data-testid='mail-transport'>
        Transport: {props.settings.transport === 'smtp' ? 'SMTP (SMTP_URL)' : 'the server log (SMTP_URL is not set)'}
      </p>
      <ErrorPanel error={error()} />
      <Button type='submit' disabled={busy()}>{busy() ? 'Saving…' : 'Save settings'}</Button>
    </form>
  )
}

/** Mail templates (reset, verify, invite) and the app URL their links use. */
export function MailTemplatesPage (): JSX.Element {
  const params = useParams<{ app: string }>()
  const [templates, { refetch }] = createResource(() => params.app, async (app) => await mail.templates(app))
  const [settings, { refetch: refetchSettings }] = createResource(() => params.app, async (app) => await mail.settings(app))
  const [kind, setKind] = createSignal<MailKind>('reset')
  const current = (): MailTemplate | undefined => templates.latest?.find((t) => t.kind === kind())
  return (
    <>
      <PageHeader title='Mail templates' subtitle='The mails of password reset, email verification and invites.' />
      <ErrorPanel error={templates.error ?? settings.error} />
      <div class='grid gap-6 xl:grid-cols-[1fr_24rem]'>
        <Card>
          <div class='flex gap-2 border-b border-neutral-200 p-3' role='tablist'>
            <For each={templates.latest ?? []}>
              {(t) => (
                <Button type='button' size='sm' variant={t.kind === kind() ? 'primary' : 'ghost'} data-testid={`mail-kind-${t.kind}`} onClick={() => setKind(t.kind)}>
                  {TITLES[t.kind]} <Show when={t.is_default}><Badge>default</Badge></Show>
                </Button>
              )}
            </For>
          </div>
          <Show when={current()} keyed>{(t) => <TemplateEditor app={params.app} template={t} onSaved={async () => { await refetch() }} />}</Show>
        </Card>
        <Show when={settings.latest}>{(s) => <Card title='Settings'><SettingsForm app={params.app} settings={s()} onSaved={async () => { await refetchSettings() }} /></Card>}</Show>
      </div>
    </>
  )
}
