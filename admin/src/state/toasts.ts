import { createSignal } from 'solid-js'
import type { ErrorDetail } from '../api/types.js'

export interface Toast {
  id: number
  kind: 'success' | 'error'
  message: string
  details?: ErrorDetail[]
}

const [toasts, setToasts] = createSignal<Toast[]>([])
let nextId = 1

export { toasts }

export function dismissToast (id: number): void {
  setToasts((list) => list.filter((t) => t.id !== id))
}

function push (toast: Omit<Toast, 'id'>, ms: number): void {
  const id = nextId++
  setToasts((list) => [...list.slice(-4), { ...toast, id }])
  setTimeout(() => { dismissToast(id) }, ms)
}

export function toastSuccess (message: string): void {
  push({ kind: 'success', message }, 4000)
}

/** Shows an error; API errors carry their code, message and details. */
export function toastError (err: unknown): void {
  if (err instanceof Error && 'code' in err) {
    const e = err as Error & { code: string, details?: ErrorDetail[] }
    push({ kind: 'error', message: `${e.code}: ${e.message}`, ...(e.details !== undefined ? { details: e.details } : {}) }, 9000)
  } else {
    push({ kind: 'error', message: err instanceof Error ? err.message : String(err) }, 9000)
  }
}
