// My unread notification count, shared by the self-service tab bar, the home page and the
// approvals page: one reactive value, refreshed when a page asks (on navigation, after reading).
import { reactive } from 'vue'
import { api } from '@/api/client'

const state = reactive({ count: 0, loading: false })
let inflight: Promise<void> | null = null

async function refresh(): Promise<void> {
  inflight ??= api
    .get<{ unread: number }>('/notifications/unread-count')
    .then((r) => {
      state.count = r?.unread ?? 0
    })
    .catch(() => {
      /* a badge is not worth an error: keep the last count */
    })
    .finally(() => {
      inflight = null
    })
  return inflight
}

export function useUnread() {
  return Object.assign(state, { refresh })
}
