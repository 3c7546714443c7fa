import { useLocation } from '@solidjs/router'
import type { JSX } from 'solid-js'
import { APP_PAGES } from '../components/nav.js'
import { Card, PageHeader } from '../components/ui.js'

/** Temporary stand-in for the §10 pages of the next phase (rules, workflows, users, …). */
export function PlaceholderPage (): JSX.Element {
  const location = useLocation()
  const item = (): string => APP_PAGES.find((p) => location.pathname.endsWith(`/${p.path}`))?.label ?? 'This page'
  return (
    <>
      <PageHeader title={item()} />
      <Card>
        <p class='px-4 py-10 text-center text-sm text-neutral-500' data-testid='placeholder'>{item()} arrives in the next phase of the admin UI.</p>
      </Card>
    </>
  )
}
