import type { AppContext } from '../apps/context.js'
import { createUser } from '../auth/user-service.js'
import { isApiError } from '../errors.js'
import { isObject } from '../rules/problems.js'
import type { ImportOptions, SampleReport } from './types.js'

/** The `sample_data` key whose rows are app users rather than entity rows. */
export const SAMPLE_USERS_KEY = '_users'

/** A user sample row as the admin users API takes it: `role` (one) is the seeds' spelling of `roles`. */
function userBody (row: Record<string, unknown>): Record<string, unknown> | string {
  if (row.role === undefined) return row
  if (row.roles !== undefined) return 'give either role or roles, not both'
  const { role, ...rest } = row
  return { ...rest, roles: typeof role === 'string' ? [role] : role }
}

/**
 * `sample_data._users` (docs/ARCHITECTURE.md, Export / import): `{email, password, roles | role,
 * active?}` rows become app users through the admin users service (email normalised, password
 * policy and bcrypt hash, roles checked). An email that already has a user is skipped and named
 * in `skipped_rows`, so importing twice creates nobody twice; a bad row is reported and the
 * others proceed. Passwords are never echoed in the report.
 */
export async function importSampleUsers (app: AppContext, rows: readonly unknown[], opts: ImportOptions): Promise<SampleReport> {
  const report: SampleReport = { created: 0, skipped: 0, errors: [], skipped_rows: [] }
  for (const [index, row] of rows.entries()) {
    const body = isObject(row) ? userBody(row) : 'a sample user must be a JSON object {email, password, roles}'
    if (typeof body === 'string') {
      report.errors.push({ index, message: body })
      continue
    }
    try {
      await createUser({ app }, body)
      report.created++
    } catch (err) {
      if (isApiError(err) && err.code === 'CONFLICT') {
        report.skipped++
        report.skipped_rows?.push({ index, email: String(body.email).trim().toLowerCase().slice(0, 254), reason: 'user exists' })
      } else if (isApiError(err)) {
        report.errors.push({ index, message: err.message, ...(err.details !== undefined ? { details: err.details } : {}) })
      } else {
        opts.onError?.(err, `sample_data.${SAMPLE_USERS_KEY}[${index}]`)
        report.errors.push({ index, message: 'Internal error while importing this user' })
      }
    }
  }
  return report
}
