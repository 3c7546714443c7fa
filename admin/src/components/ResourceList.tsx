// The building blocks of the list pages: table with loading / empty / error states, row actions,
// the delete confirmation, a header filter and the side card holding the create / edit form.
import { For, Show, type Accessor, type JSX, type ParentProps } from 'solid-js'
import type { EntityDef, ListMeta } from '../api/types.js'
import { ConfirmDialog } from './ConfirmDialog.js'
import { ErrorPanel } from './ErrorPanel.js'
import type { DeleteConfirm, Editing, Paging } from './list-state.js'
import { Pagination } from './Pagination.js'
import { Button, Card, Empty, Select, Table, TD, TH } from './ui.js'

export interface ResourceTableProps<T> {
  testId: string
  columns: readonly string[]
  /** Adds a right-aligned "Actions" column. */
  actions?: boolean
  /** undefined while loading. */
  items: readonly T[] | undefined
  error: unknown
  /** Shown in a full-width row when there are no items. */
  empty: JSX.Element
  /** With `meta`: pagination under the table. */
  paging?: Paging
  meta?: ListMeta | undefined
  children: (item: T) => JSX.Element
}

/** The API error, "Loading…", then the table (or its empty row) and, for a paged list, the pagination. */
export function ResourceTable<T> (props: ResourceTableProps<T>): JSX.Element {
  const span = (): number => props.columns.length + (props.actions === true ? 1 : 0)
  const head = (
    <tr>
      <For each={props.columns}>{(c) => <TH>{c}</TH>}</For>
      <Show when={props.actions === true}><TH class='text-right'>Actions</TH></Show>
    </tr>
  )
  return (
    <>
      <ErrorPanel error={props.error} />
      <Show when={props.items !== undefined} fallback={<Empty>Loading…</Empty>}>
        <Table testId={props.testId} head={head}>
          <For each={props.items} fallback={<tr><td colspan={span()}><Empty>{props.empty}</Empty></td></tr>}>
            {(item) => props.children(item)}
          </For>
        </Table>
        <Show when={props.paging !== undefined ? props.meta : undefined}>
          {(meta) => <Pagination meta={meta()} onPage={(page) => { props.paging?.setPage(page) }} onPerPage={(n) => { props.paging?.setPerPage(n) }} />}
        </Show>
      </Show>
    </>
  )
}

/** The last cell of a row: Edit, any other buttons, Delete (each only when given). */
export function RowActions (props: ParentProps<{ onEdit?: () => void, onDelete?: (() => void) | undefined, deleteLabel?: string }>): JSX.Element {
  return (
    <TD class='space-x-2 text-right whitespace-nowrap'>
      <Show when={props.onEdit !== undefined}><Button size='sm' variant='secondary' onClick={() => { props.onEdit?.() }}>Edit</Button></Show>
      {props.children}
      <Show when={props.onDelete !== undefined}><Button size='sm' variant='ghost' class='!text-red-600' onClick={() => { props.onDelete?.() }}>{props.deleteLabel ?? 'Delete'}</Button></Show>
    </TD>
  )
}

/** The confirmation dialog of a `useDeleteWithConfirm`. */
export function ConfirmDelete<T> (props: ParentProps<{ of: DeleteConfirm<T>, title: string, confirmLabel?: string, busy?: boolean }>): JSX.Element {
  return (
    <ConfirmDialog
      open={props.of.target() !== null}
      title={props.title}
      confirmLabel={props.confirmLabel}
      busy={props.busy}
      onCancel={() => { props.of.cancel() }}
      onConfirm={() => { void props.of.confirm() }}
    >
      {props.children}
    </ConfirmDialog>
  )
}

/** A labelled select for a page header: "all" or one of the options. */
export function HeaderFilter (props: { label: string, name: string, class: string, value: string, options: readonly string[] | undefined, onChange: (value: string) => void }): JSX.Element {
  return (
    <label class='flex items-center gap-2 text-xs text-neutral-600'>{props.label}
      <Select name={props.name} class={props.class} value={props.value} onChange={(e) => { props.onChange(e.currentTarget.value) }}>
        <option value=''>all</option>
        <For each={props.options}>{(o) => <option value={o}>{o}</option>}</For>
      </Select>
    </label>
  )
}

/** Its children, built again whenever `version` changes (a form then starts from its props afresh). */
export function Remount (props: ParentProps<{ version: number }>): JSX.Element {
  return <Show when={props.version + 1} keyed>{props.children}</Show>
}

/** The side card with a page's create / edit form, once the app's entities are loaded. */
export function EntityFormCard (props: { title: string, class?: string, entities: EntityDef[] | undefined, version: number, children: (entities: Accessor<EntityDef[]>) => JSX.Element }): JSX.Element {
  return (
    <Card class={props.class} title={props.title}>
      <Show when={props.entities} fallback={<Empty>Loading entities…</Empty>}>
        {(list) => <Remount version={props.version}>{props.children(list)}</Remount>}
      </Show>
    </Card>
  )
}

/**
 * A full-width editor under a list, open while `editor.current()` is not undefined (null: a new row),
 * built again on every `editor.open`, once the app's entities are loaded.
 */
export function EntityEditorSlot<T> (props: { editor: Editing<T | null | undefined>, entities: EntityDef[] | undefined, children: (entities: Accessor<EntityDef[]>) => JSX.Element }): JSX.Element {
  return (
    <Show when={props.editor.current() !== undefined && props.entities}>
      {(list) => <Remount version={props.editor.version()}>{props.children(list)}</Remount>}
    </Show>
  )
}
