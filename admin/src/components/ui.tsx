import { createEffect, splitProps, type JSX, type ParentProps } from 'solid-js'

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost'

const VARIANTS: Record<Variant, string> = {
  primary: 'bg-neutral-900 text-white hover:bg-neutral-700 disabled:bg-neutral-400',
  secondary: 'bg-white text-neutral-800 ring-1 ring-inset ring-neutral-300 hover:bg-neutral-50 disabled:text-neutral-400',
  danger: 'bg-red-600 text-white hover:bg-red-500 disabled:bg-red-300',
  ghost: 'text-neutral-600 hover:bg-neutral-100 hover:text-neutral-900'
}

export function Button (props: JSX.ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant, size?: 'sm' | 'md' }): JSX.Element {
  const [local, rest] = splitProps(props, ['variant', 'size', 'class'])
  const size = (): string => local.size === 'sm' ? 'px-2.5 py-1 text-xs' : 'px-3.5 py-2 text-sm'
  return (
    <button
      type='button'
      {...rest}
      class={`inline-flex items-center justify-center gap-1.5 rounded-md font-medium shadow-sm transition-colors focus-visible:outline-2 focus-visible:outline-offset-2 focus-visible:outline-neutral-900 disabled:cursor-not-allowed ${VARIANTS[local.variant ?? 'primary']} ${size()} ${local.class ?? ''}`}
    />
  )
}

const CONTROL = 'block w-full rounded-md border-0 bg-white px-2.5 py-1.5 text-sm text-neutral-900 ring-1 ring-inset ring-neutral-300 placeholder:text-neutral-400 focus:ring-2 focus:ring-inset focus:ring-neutral-900 disabled:bg-neutral-100 disabled:text-neutral-500'

export function Input (props: JSX.InputHTMLAttributes<HTMLInputElement>): JSX.Element {
  const [local, rest] = splitProps(props, ['class'])
  return <input {...rest} class={`${CONTROL} ${local.class ?? ''}`} />
}

/**
 * A select whose `value` is applied after its options exist (a `value` attribute set while the
 * options are still being created would select the first option instead).
 */
export function Select (props: JSX.SelectHTMLAttributes<HTMLSelectElement>): JSX.Element {
  const [local, rest] = splitProps(props, ['class', 'children', 'value'])
  let el: HTMLSelectElement | undefined
  createEffect(() => {
    const value = local.value
    if (el !== undefined && value !== undefined) el.value = String(value)
  })
  return <select ref={el} {...rest} class={`${CONTROL} pr-8 ${local.class ?? ''}`}>{local.children}</select>
}

export function Textarea (props: JSX.TextareaHTMLAttributes<HTMLTextAreaElement>): JSX.Element {
  const [local, rest] = splitProps(props, ['class'])
  return <textarea {...rest} class={`${CONTROL} font-mono ${local.class ?? ''}`} />
}

export function Checkbox (props: { label: string, checked: boolean, onChange: (v: boolean) => void, disabled?: boolean, name?: string }): JSX.Element {
  return (
    <label class='inline-flex cursor-pointer items-center gap-2 text-sm text-neutral-700'>
      <input
        type='checkbox'
        name={props.name}
        class='size-4 rounded border-neutral-300 accent-neutral-900'
        checked={props.checked}
        disabled={props.disabled}
        onChange={(e) => { props.onChange(e.currentTarget.checked) }}
      />
      {props.label}
    </label>
  )
}

/** A labelled form control with an optional hint or error below it. */
export function FormField (props: ParentProps<{ label: string, hint?: string, error?: string | undefined, class?: string }>): JSX.Element {
  return (
    <label class={`block ${props.class ?? ''}`}>
      <span class='mb-1 block text-xs font-medium text-neutral-600'>{props.label}</span>
      {props.children}
      {props.error !== undefined
        ? <span class='mt-1 block text-xs text-red-600' role='alert'>{props.error}</span>
        : props.hint !== undefined ? <span class='mt-1 block text-xs text-neutral-500'>{props.hint}</span> : null}
    </label>
  )
}

export function Card (props: ParentProps<{ class?: string, title?: string, actions?: JSX.Element }>): JSX.Element {
  return (
    <section class={`rounded-lg bg-white shadow-sm ring-1 ring-neutral-200 ${props.class ?? ''}`}>
      {props.title !== undefined && (
        <header class='flex items-center justify-between border-b border-neutral-200 px-4 py-3'>
          <h2 class='text-sm font-semibold text-neutral-900'>{props.title}</h2>
          {props.actions}
        </header>
      )}
      {props.children}
    </section>
  )
}

export function PageHeader (props: { title: string, subtitle?: string, actions?: JSX.Element }): JSX.Element {
  return (
    <div class='mb-6 flex flex-wrap items-end justify-between gap-4'>
      <div>
        <h1 class='text-xl font-semibold tracking-tight text-neutral-900'>{props.title}</h1>
        {props.subtitle !== undefined && <p class='mt-1 text-sm text-neutral-500'>{props.subtitle}</p>}
      </div>
      <div class='flex items-center gap-2'>{props.actions}</div>
    </div>
  )
}

export function Badge (props: ParentProps<{ tone?: 'neutral' | 'green' | 'amber' | 'blue' }>): JSX.Element {
  const tones = { neutral: 'bg-neutral-100 text-neutral-700', green: 'bg-emerald-50 text-emerald-700', amber: 'bg-amber-50 text-amber-800', blue: 'bg-sky-50 text-sky-700' }
  return <span class={`inline-flex items-center rounded px-1.5 py-0.5 text-xs font-medium ${tones[props.tone ?? 'neutral']}`}>{props.children}</span>
}

export function Empty (props: ParentProps): JSX.Element {
  return <div class='px-4 py-10 text-center text-sm text-neutral-500'>{props.children}</div>
}

/** Table shell with the house style; rows and header cells come from the caller. */
export function Table (props: ParentProps<{ head: JSX.Element, testId?: string }>): JSX.Element {
  return (
    <div class='overflow-x-auto'>
      <table class='min-w-full divide-y divide-neutral-200 text-sm' data-testid={props.testId}>
        <thead class='bg-neutral-50 text-left text-xs font-medium uppercase tracking-wide text-neutral-500'>{props.head}</thead>
        <tbody class='divide-y divide-neutral-100 bg-white'>{props.children}</tbody>
      </table>
    </div>
  )
}

export const TH = (props: ParentProps<{ class?: string }>): JSX.Element => <th class={`whitespace-nowrap px-4 py-2.5 ${props.class ?? ''}`}>{props.children}</th>
export const TD = (props: ParentProps<{ class?: string }>): JSX.Element => <td class={`px-4 py-2.5 align-top ${props.class ?? ''}`}>{props.children}</td>
