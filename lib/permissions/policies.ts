import type { Registry } from '../metadata/registry.js'
import type { PolicySet } from './compile.js'

/** Module name; also the key of the compiled policies in `registry.extensions`. */
export const PERMISSIONS = 'permissions'

const EMPTY: PolicySet = { buckets: new Map(), restrictsFields: false }

/** The compiled policies of a registry version (none when the module has not loaded: everything is denied). */
export function policiesOf (registry: Registry): PolicySet {
  return (registry.extensions.get(PERMISSIONS) as PolicySet | undefined) ?? EMPTY
}
