// The company's leave types, fetched once per page load (they change rarely) and looked up by
// code: balances, applications and approvals name a type by its code.
import { api } from '@/api/client'
import type { LeaveType } from './api'

let cache: Promise<LeaveType[]> | null = null

/** Every leave type; a failed load is not cached, so the next caller retries. */
export function loadLeaveTypes(fresh = false): Promise<LeaveType[]> {
  if (fresh) cache = null
  cache ??= api.get<LeaveType[]>('/leave-types').catch((e) => {
    cache = null
    throw e
  })
  return cache
}
