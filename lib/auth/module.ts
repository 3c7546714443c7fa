import type { EngineModule } from '../engine/modules.js'
import { refreshInactiveUsers } from './blocklist.js'

/**
 * Keeps each app's blocklist of inactive users in step with the database: rerun when the app
 * opens and on every announced change (user admin routes announce deactivations), so access
 * tokens of users deactivated through another process are refused here too.
 */
export function usersModule (): EngineModule {
  return {
    name: 'users',
    load: async (app) => { await refreshInactiveUsers(app) }
  }
}
