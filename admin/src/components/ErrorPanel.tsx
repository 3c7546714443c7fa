import { For, Show, type JSX } from 'solid-js'
import { ApiError } from '../api/client.js'

/** An API error shown inline with a form: code, message and every detail (field → message). */
export function ErrorPanel (props: { error: unknown }): JSX.Element {
  const err = (): ApiError | null => props.error instanceof ApiError ? props.error : null
  return (
    <Show when={props.error !== null && props.error !== undefined}>
      <div class='rounded-md bg-red-50 p-3 text-sm text-red-800 ring-1 ring-inset ring-red-200' role='alert' data-testid='error-panel'>
        <p class='font-medium'>
          <Show when={err()} fallback={String(props.error instanceof Error ? props.error.message : props.error)}>
            {(e) => <><span class='font-mono text-xs'>{e().code}</span> {e().message}</>}
          </Show>
        </p>
        <Show when={(err()?.details.length ?? 0) > 0}>
          <ul class='mt-2 list-disc space-y-0.5 pl-5 text-xs'>
            <For each={err()?.details}>
              {(d) => <li><Show when={d.field}><span class='font-mono'>{d.field}</span>: </Show>{d.message}</li>}
            </For>
          </ul>
        </Show>
      </div>
    </Show>
  )
}
