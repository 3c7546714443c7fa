import type { EngineModule } from '../engine/modules.js'
import { refreshInactiveUsers } from './blocklist.js'
import { loadTokenVersions } from './token-versions.js'

/**
 * Keeps each app's blocklist of inactive users in step with the database: rerun when the app
 * opens and on every announced change (user admin routes announce deactivations), so access
 * tokens of users deactivated through another process are refused here too. Token versions
 * (lib/auth/token-versions.ts) are merged in at the same times.
 */
export function usersModule (): EngineModule {
  return {
    name: 'users',
    load: async (app) => { await Promise.all([refreshInactiveUsers(app), loadTokenVersions(app)]) }
  }
}
