// Helpers shared by the organisation pages (org chart, org units, positions and quotas):
// the as-of date kept in the URL, unit trees built from the flat as-of list, labels of
// unit kinds and quota categories, inclusive end dates and server field errors.
import { computed, ref, watch, type Ref } from 'vue'
import { useRoute, useRouter, type LocationQueryRaw } from 'vue-router'
import { api, ApiError, errorMessage, type Schemas } from '@/api/client'
import { addDays, todayIso } from '@/utils/format'

export type Unit = Schemas['OrgUnitView']
export type TreeNode = Schemas['OrgTreeNode']
export type Company = Schemas['Company']
export type Quota = Schemas['QuotaUsage']
export type Position = Schemas['Position']
export type UnitKind = Schemas['UnitKind']

export const UNIT_KINDS: UnitKind[] = ['headquarters', 'division', 'department', 'team']
export const QUOTA_CATEGORIES = ['administrative', 'public_institution', 'contract', 'other'] as const

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/
export function isIsoDate(v: unknown): v is string {
  return typeof v === 'string' && ISO_DATE.test(v) && !Number.isNaN(Date.parse(v))
}

/** A string query parameter, or undefined. */
export function queryString(v: unknown): string | undefined {
  if (Array.isArray(v)) v = v[0]
  return typeof v === 'string' && v !== '' ? v : undefined
}

/**
 * The as-of date of a page, kept in the URL query (`?as_of=YYYY-MM-DD`) so the view can be
 * bookmarked; without it the page shows today. Setting today's date removes the parameter.
 */
export function useAsOf(): Ref<string> {
  const route = useRoute()
  const router = useRouter()
  return computed<string>({
    get: () => {
      const v = queryString(route.query.as_of)
      return isIsoDate(v) ? v : todayIso()
    },
    set: (v) => {
      setQuery(router, route.query, { as_of: v && v !== todayIso() ? v : undefined })
    },
  })
}

/** Replaces some query parameters of the current route (undefined removes one). */
export function setQuery(
  router: ReturnType<typeof useRouter>,
  current: LocationQueryRaw,
  patch: Record<string, string | undefined>,
) {
  const next: LocationQueryRaw = { ...current }
  for (const [k, v] of Object.entries(patch)) {
    if (v === undefined || v === '') delete next[k]
    else next[k] = v
  }
  return router.replace({ query: next })
}

/** A node of a unit tree built on the client from the flat as-of list. */
export interface UnitNode extends Unit {
  children: UnitNode[]
}

/**
 * The forest of units: a unit whose parent is not in the list (a company root, or a unit
 * above the reader's scope) is a root. Children are in code order.
 */
export function buildUnitTree(units: Unit[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>()
  for (const u of units) nodes.set(u.id, { ...u, children: [] })
  const roots: UnitNode[] = []
  for (const n of nodes.values()) {
    const p = n.parent_id ? nodes.get(n.parent_id) : undefined
    if (p) p.children.push(n)
    else roots.push(n)
  }
  const sort = (xs: UnitNode[]) => {
    xs.sort((a, b) => a.code.localeCompare(b.code))
    xs.forEach((x) => sort(x.children))
  }
  sort(roots)
  return roots
}

/** Ids of a unit and everything below it (for excluding targets that would make a cycle). */
export function subtreeIds(units: Unit[], id: string): Set<string> {
  const children = new Map<string, string[]>()
  for (const u of units) {
    if (!u.parent_id) continue
    const list = children.get(u.parent_id) ?? []
    list.push(u.id)
    children.set(u.parent_id, list)
  }
  const out = new Set<string>()
  const stack = [id]
  while (stack.length) {
    const x = stack.pop()!
    if (out.has(x)) continue
    out.add(x)
    stack.push(...(children.get(x) ?? []))
  }
  return out
}

/** The last day of a range whose `to` is exclusive (ranges end the day before `to`). */
export function lastDay(to: string | null | undefined): string | null {
  return to ? addDays(to, -1) : null
}

/** An ISO date `years` years before `iso` (Feb 29 becomes Feb 28). */
export function yearsBefore(iso: string, years: number): string {
  const [y, m, d] = iso.split('-').map(Number)
  const day = m === 2 && d === 29 ? 28 : d
  return `${String(y - years).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(day).padStart(2, '0')}`
}

/** Field errors of a failed write, one message per field (joined), keyed by the wire name. */
export function fieldErrors(e: unknown): Record<string, string> {
  if (!(e instanceof ApiError)) return {}
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(e.fields ?? {})) out[k] = v.join('；')
  return out
}

/** Per unit: quota lines, their totals and whether any category is over its quota. */
export interface UnitQuota {
  lines: Quota[]
  amount: number
  occupied: number
  over: boolean
}

export function quotasByUnit(quotas: Quota[]): Map<string, UnitQuota> {
  const out = new Map<string, UnitQuota>()
  for (const q of quotas) {
    const u = out.get(q.org_unit_id) ?? { lines: [], amount: 0, occupied: 0, over: false }
    u.lines.push(q)
    u.amount += q.amount
    u.occupied += q.occupied
    if (q.occupied > q.amount) u.over = true
    out.set(q.org_unit_id, u)
  }
  return out
}

/** i18n key of a quota category (unknown categories are shown as they are). */
export function categoryKey(c: string): string | null {
  return (QUOTA_CATEGORIES as readonly string[]).includes(c) ? `org.categories.${c}` : null
}

/** The nil UUID records changes made by the system itself (the demo seed, migrations). */
export const SYSTEM_ACTOR = '00000000-0000-0000-0000-000000000000'

/**
 * Errors of a form's last submit: per-field messages for the fields the form shows, and one
 * message for the rest (the server's localised message plus any field it names that the
 * form does not show).
 */
export function useFormErrors(shown: readonly string[]) {
  const fields = ref<Record<string, string>>({})
  const message = ref<string | null>(null)
  function clear() {
    fields.value = {}
    message.value = null
  }
  function capture(e: unknown) {
    const all = fieldErrors(e)
    const mine: Record<string, string> = {}
    const rest: string[] = []
    for (const [k, v] of Object.entries(all)) {
      if (shown.includes(k)) mine[k] = v
      else rest.push(v)
    }
    fields.value = mine
    message.value = [errorMessage(e), ...rest].join(' ')
  }
  return { fields, message, clear, capture }
}

/**
 * The units in force on `date` (of one company when given), reloaded when either changes
 * while `active` — the choices of a form whose effective date the user can change.
 */
export function useUnitsOn(date: Ref<string | null | undefined>, companyId: Ref<string | null | undefined>, active: Ref<boolean>) {
  const units = ref<Unit[]>([])
  const loading = ref(false)
  const error = ref<string | null>(null)
  let seq = 0
  async function load() {
    if (!active.value || !isIsoDate(date.value)) return
    const mine = ++seq
    loading.value = true
    error.value = null
    try {
      const list = await api.get<Unit[]>('/org-units', { as_of: date.value, company_id: companyId.value ?? undefined })
      if (mine === seq) units.value = list
    } catch (e) {
      if (mine === seq) error.value = errorMessage(e)
    } finally {
      if (mine === seq) loading.value = false
    }
  }
  watch([date, companyId, active], load, { immediate: true })
  return { units, loading, error, reload: load }
}
