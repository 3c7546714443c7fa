import { For, type JSX } from 'solid-js'
import type { ListMeta } from '../api/types.js'
import { Button, Select } from './ui.js'

const SIZES = [10, 25, 50, 100]

/** "1–25 of 142", page size, previous / next. */
export function Pagination (props: { meta: ListMeta, onPage: (page: number) => void, onPerPage: (n: number) => void }): JSX.Element {
  const pages = (): number => Math.max(1, Math.ceil(props.meta.total / props.meta.per_page))
  const from = (): number => props.meta.total === 0 ? 0 : (props.meta.page - 1) * props.meta.per_page + 1
  const to = (): number => Math.min(props.meta.total, props.meta.page * props.meta.per_page)
  return (
    <div class='flex flex-wrap items-center justify-between gap-3 border-t border-neutral-200 px-4 py-3 text-sm text-neutral-600' data-testid='pagination'>
      <span data-testid='page-info'>{from()}–{to()} of {props.meta.total}</span>
      <div class='flex items-center gap-2'>
        <label class='flex items-center gap-2 whitespace-nowrap'>
          <span class='text-xs'>Per page</span>
          <Select name='per-page' class='!w-20' value={String(props.meta.per_page)} onChange={(e) => { props.onPerPage(Number(e.currentTarget.value)) }}>
            <For each={SIZES}>{(n) => <option value={String(n)}>{n}</option>}</For>
          </Select>
        </label>
        <Button size='sm' variant='secondary' disabled={props.meta.page <= 1} onClick={() => { props.onPage(props.meta.page - 1) }}>Previous</Button>
        <span class='text-xs'>Page {props.meta.page} of {pages()}</span>
        <Button size='sm' variant='secondary' disabled={props.meta.page >= pages()} onClick={() => { props.onPage(props.meta.page + 1) }}>Next</Button>
      </div>
    </div>
  )
}
