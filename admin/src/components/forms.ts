import { createSignal, type Accessor } from 'solid-js'

export { detailFor, parseEmails, parseJson, parseRoles, pretty, when, type JsonParse } from './form-values.js'

/** A form's submit state: busy flag and the last error (an ApiError's details feed `detailFor`). */
export function createSubmit (): { busy: Accessor<boolean>, error: Accessor<unknown>, setError: (e: unknown) => void, run: (fn: () => Promise<void>) => Promise<void> } {
  const [busy, setBusy] = createSignal(false)
  const [error, setError] = createSignal<unknown>(null)
  const run = async (fn: () => Promise<void>): Promise<void> => {
    setBusy(true)
    setError(null)
    try {
      await fn()
    } catch (err) {
      setError(err)
    } finally {
      setBusy(false)
    }
  }
  return { busy, error, setError, run }
}
