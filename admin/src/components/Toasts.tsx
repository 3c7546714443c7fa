import { For, Show, type JSX } from 'solid-js'
import { dismissToast, toasts } from '../state/toasts.js'

/** Tells this page load's toasts from an earlier load's (ids restart at 1): `data-toast-id`, read by the browser tests. */
const LOAD = `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}`

export function Toasts (): JSX.Element {
  return (
    <div class='pointer-events-none fixed right-4 bottom-4 z-50 flex w-96 max-w-[calc(100vw-2rem)] flex-col gap-2'>
      <For each={toasts()}>
        {(t) => (
          <div
            role={t.kind === 'error' ? 'alert' : 'status'}
            data-testid={`toast-${t.kind}`}
            data-toast-id={`${LOAD}-${t.id}`}
            class={`pointer-events-auto rounded-md p-3 text-sm shadow-lg ring-1 ${t.kind === 'error' ? 'bg-red-50 text-red-800 ring-red-200' : 'bg-emerald-50 text-emerald-800 ring-emerald-200'}`}
          >
            <div class='flex items-start justify-between gap-3'>
              <p class='font-medium break-words'>{t.message}</p>
              <button type='button' class='text-xs opacity-60 hover:opacity-100' aria-label='Dismiss' onClick={() => { dismissToast(t.id) }}>✕</button>
            </div>
            <Show when={(t.details?.length ?? 0) > 0}>
              <ul class='mt-1 list-disc pl-5 text-xs'>
                <For each={t.details}>{(d) => <li>{d.field !== undefined ? `${d.field}: ` : ''}{d.message}</li>}</For>
              </ul>
            </Show>
          </div>
        )}
      </For>
    </div>
  )
}
