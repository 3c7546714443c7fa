// State shared by the list pages: the row open in the editor, the delete confirmation, paging.
import { createSignal, type Accessor } from 'solid-js'
import { toastError, toastSuccess } from '../state/toasts.js'

/** The row a page's form edits (`null`: a new one), and a version bumped on every open so the form starts afresh. */
export interface Editing<T> {
  current: Accessor<T>
  version: Accessor<number>
  open: (item: T) => void
}

export function createEditing<T> (initial: T): Editing<T> {
  const [current, setCurrent] = createSignal<T>(initial)
  const [version, setVersion] = createSignal(0)
  const open = (item: T): void => {
    setCurrent(() => item)
    setVersion((v) => v + 1)
  }
  return { current, version, open }
}

/** A row waiting for its delete to be confirmed, and the delete itself. */
export interface DeleteConfirm<T> {
  target: Accessor<T | null>
  busy: Accessor<boolean>
  ask: (item: T) => void
  cancel: () => void
  confirm: () => Promise<void>
}

export interface DeleteOptions<T> {
  remove: (item: T) => Promise<unknown>
  /** The success toast. */
  message: (item: T) => string
  /** Runs after a successful delete, before the list is fetched again (e.g. close the editor on that row). */
  onDeleted?: (item: T) => void
  refetch: () => unknown
}

/** Confirm, delete, toast (success or the API error), close the dialog, fetch the list again. */
export function useDeleteWithConfirm<T> (options: DeleteOptions<T>): DeleteConfirm<T> {
  const [target, setTarget] = createSignal<T | null>(null)
  const [busy, setBusy] = createSignal(false)
  const confirm = async (): Promise<void> => {
    const item = target()
    if (item === null) return
    setBusy(true)
    try {
      await options.remove(item)
      options.onDeleted?.(item)
      toastSuccess(options.message(item))
      setTarget(null)
      await options.refetch()
    } catch (err) {
      toastError(err)
    } finally {
      setBusy(false)
    }
  }
  return { target, busy, ask: (item) => setTarget(() => item), cancel: () => setTarget(null), confirm }
}

export interface PageQuery { page: number, per_page: number }

/** Page and page size of a paged list; a new size (or a new filter) goes back to the first page. */
export interface Paging {
  query: Accessor<PageQuery>
  setPage: (page: number) => void
  setPerPage: (perPage: number) => void
  firstPage: () => void
}

export function createPaging (perPage = 25): Paging {
  const [query, setQuery] = createSignal<PageQuery>({ page: 1, per_page: perPage })
  return {
    query,
    setPage: (page) => setQuery((q) => ({ ...q, page })),
    setPerPage: (n) => setQuery({ page: 1, per_page: n }),
    firstPage: () => setQuery((q) => ({ ...q, page: 1 }))
  }
}
