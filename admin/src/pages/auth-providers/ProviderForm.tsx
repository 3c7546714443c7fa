import { Show, type JSX } from 'solid-js'
import { createStore } from 'solid-js/store'
import type { AuthProvider } from '../../api/auth-providers.js'
import { FormActions } from '../../components/form-parts.js'
import { createSubmit, detailFor } from '../../components/forms.js'
import { Checkbox, FormField, Input } from '../../components/ui.js'
import { bodyOf, draftOf, type ProviderDraft } from './provider-form.js'

/** Create or edit an OpenID Connect provider (shape of lib/oidc/schemas.ts); the client secret is write-only. */
export function ProviderForm (props: { editing: AuthProvider | null, onSubmit: (body: Record<string, unknown>) => Promise<void>, onCancel: () => void }): JSX.Element {
  const [d, setD] = createStore<ProviderDraft>(draftOf(props.editing))
  const { busy, error, run } = createSubmit()
  const err = (field: string): string | undefined => detailFor(error(), field)
  const hasSecret = (): boolean => props.editing?.has_secret === true

  const submit = (e: SubmitEvent): void => {
    e.preventDefault()
    void run(async () => { await props.onSubmit(bodyOf(d, props.editing !== null)) })
  }

  return (
    <form class='space-y-3 p-4' onSubmit={submit} data-testid='provider-form'>
      <FormField label='Name' hint='appears in the login URL: /auth/oidc/<name>' error={err('name')}>
        <Input name='provider-name' required class='font-mono' placeholder='google' value={d.name} onInput={(e) => setD('name', e.currentTarget.value)} />
      </FormField>
      <FormField label='Issuer' hint='its /.well-known/openid-configuration is discovered' error={err('issuer')}>
        <Input name='provider-issuer' required class='font-mono' placeholder='https://accounts.google.com' value={d.issuer} onInput={(e) => setD('issuer', e.currentTarget.value)} />
      </FormField>
      <FormField label='Client ID' error={err('client_id')}>
        <Input name='provider-client-id' required class='font-mono' value={d.client_id} onInput={(e) => setD('client_id', e.currentTarget.value)} />
      </FormField>
      <FormField label='Client secret' hint={hasSecret() ? 'a secret is set: leave empty to keep it' : 'write-only, stored encrypted; empty: a public client (PKCE only)'} error={err('client_secret')}>
        <Input name='provider-client-secret' type='password' autocomplete='off' disabled={d.removeSecret} value={d.client_secret} onInput={(e) => setD('client_secret', e.currentTarget.value)} />
      </FormField>
      <Show when={hasSecret()}>
        <Checkbox name='provider-remove-secret' label='Remove the secret' checked={d.removeSecret} onChange={(v) => setD('removeSecret', v)} />
      </Show>
      <FormField label='Redirect URL' hint='where the browser goes after the login, with the tokens (or the error) in the #fragment' error={err('redirect_url')}>
        <Input name='provider-redirect-url' required class='font-mono' placeholder='https://app.example.com/login/done' value={d.redirect_url} onInput={(e) => setD('redirect_url', e.currentTarget.value)} />
      </FormField>
      <FormField label='Scopes' hint='separated by spaces; openid is always added' error={err('scopes')}>
        <Input name='provider-scopes' class='font-mono' value={d.scopes} onInput={(e) => setD('scopes', e.currentTarget.value)} />
      </FormField>
      <FormField label='Default roles' hint='roles of a user this provider creates, e.g. member' error={err('default_roles')}>
        <Input name='provider-default-roles' value={d.default_roles} onInput={(e) => setD('default_roles', e.currentTarget.value)} />
      </FormField>
      <FormField label='Allowed email domains' hint='empty: any domain' error={err('allowed_domains')}>
        <Input name='provider-allowed-domains' placeholder='example.com' value={d.allowed_domains} onInput={(e) => setD('allowed_domains', e.currentTarget.value)} />
      </FormField>
      <Checkbox name='provider-active' label='Active' checked={d.active} onChange={(v) => setD('active', v)} />
      <FormActions error={error()} busy={busy()} editing={props.editing !== null} noun='provider' onCancel={() => { props.onCancel() }} />
    </form>
  )
}
