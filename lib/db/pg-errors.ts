import postgres from 'postgres'
import { conflict, invalidPayload, validationFailed, type ApiError } from '../errors.js'

/** Column/constraint naming context used to phrase translated driver errors. */
export interface ErrorContext {
  /** Maps a unique constraint or index name to the field it protects. */
  fieldForConstraint?: (constraint: string) => string | undefined
}

/**
 * Translates a PostgreSQL error into an API error, or returns null when it is a server fault
 * (which the error handler turns into a 500 without leaking the message).
 */
export function translatePgError (err: unknown, ctx: ErrorContext = {}): ApiError | null {
  if (!(err instanceof postgres.PostgresError)) return null
  const constraint = err.constraint_name ?? ''
  const column = err.column_name ?? ''
  switch (err.code) {
    case '23505': {
      const field = ctx.fieldForConstraint?.(constraint) ?? fieldFromDetail(err.detail) ?? constraint
      return conflict(`A record with this ${field} already exists`, [{ field, rule: 'unique', message: `${field} must be unique` }])
    }
    case '23503':
      return validationFailed('Referenced record does not exist or is still referenced', [
        { field: fieldFromDetail(err.detail) ?? constraint, rule: 'foreign_key', message: 'Foreign key constraint violated' }
      ])
    case '23502':
      return validationFailed('Validation failed', [{ field: column, rule: 'required', message: `${column} is required` }])
    case '23514':
      return validationFailed('Validation failed', [{ field: constraint, rule: 'check', message: 'Check constraint violated' }])
    case '22001':
      return validationFailed('Validation failed', [{ field: column || 'value', rule: 'max_length', message: 'Value too long' }])
    case '22003':
      return invalidPayload('A numeric value is out of range', [{ field: column || 'value', rule: 'range', message: 'Numeric value out of range' }])
    case '22021': case '22P05':
      return invalidPayload('A text value holds a character PostgreSQL cannot store (U+0000)')
    default:
      // Class 22 (data exception: bad format, out-of-range date, invalid escape...) is always the
      // client's value, never a server fault: the backstop behind validation (docs/VALIDATION.md).
      return err.code.startsWith('22') ? invalidPayload('A value has an invalid format') : null
  }
}

/** PostgreSQL's detail reads `Key (email)=(x) already exists.`: take the column list. */
function fieldFromDetail (detail: string | undefined): string | undefined {
  const m = detail?.match(/^Key \(([^)]+)\)/)
  return m?.[1]
}
