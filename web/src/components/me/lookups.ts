// Look-ups the self-service pages share: data dictionaries (code → label in the UI
// language), org unit and position names, and a few date helpers. Each look-up is cached
// for the life of the page load; a failed look-up resolves to null so a page still shows
// its own data when a name cannot be read.
import { api, type Schemas } from '@/api/client'
import { loadDictionaries as sharedDictionaries } from '@/api/lookups'

type Dictionary = Schemas['DictionaryView']
type OrgUnit = Schemas['OrgUnitView']
type Position = Schemas['Position']

export { dictLabel, isMasked } from '@/api/lookups'

/** Every data dictionary, by key; an empty map when they cannot be read (labels fall back to codes). */
export function loadDictionaries(): Promise<Map<string, Dictionary>> {
  return sharedDictionaries().catch(() => new Map<string, Dictionary>())
}

const units = new Map<string, Promise<OrgUnit | null>>()
/** An org unit as it stood on a day (today when no day is given). */
export function orgUnit(id: string, asOf?: string): Promise<OrgUnit | null> {
  const key = `${id}@${asOf ?? ''}`
  let p = units.get(key)
  if (!p) {
    p = api.get<OrgUnit>(`/org-units/${id}`, { as_of: asOf }).catch(() => null)
    units.set(key, p)
  }
  return p
}

const paths = new Map<string, Promise<OrgUnit[] | null>>()
/** The unit's path from its company root down to itself. */
export function orgPath(id: string): Promise<OrgUnit[] | null> {
  let p = paths.get(id)
  if (!p) {
    p = api.get<OrgUnit[]>(`/org-units/${id}/path`).catch(() => null)
    paths.set(id, p)
  }
  return p
}

const positions = new Map<string, Promise<Position | null>>()
export function position(id: string): Promise<Position | null> {
  let p = positions.get(id)
  if (!p) {
    p = api.get<Position>(`/positions/${id}`).catch(() => null)
    positions.set(id, p)
  }
  return p
}

/** Whole days from today to an ISO date (negative when past). */
export function daysUntil(iso: string, today = new Date()): number {
  const [y, m, d] = iso.split('-').map(Number)
  const target = Date.UTC(y, m - 1, d)
  const now = Date.UTC(today.getFullYear(), today.getMonth(), today.getDate())
  return Math.round((target - now) / 86_400_000)
}

/** Whole years and months from an ISO date to today (for 司龄 and contract terms). */
export function yearsMonths(fromIso: string, toIso?: string): { years: number; months: number } {
  const [fy, fm, fd] = fromIso.split('-').map(Number)
  let ty: number, tm: number, td: number
  if (toIso) [ty, tm, td] = toIso.split('-').map(Number)
  else {
    const n = new Date()
    ty = n.getFullYear()
    tm = n.getMonth() + 1
    td = n.getDate()
  }
  let months = (ty - fy) * 12 + (tm - fm)
  if (td < fd) months -= 1
  months = Math.max(0, months)
  return { years: Math.floor(months / 12), months: months % 12 }
}

/** A date (YYYY-MM-DD) as the UI language writes it. */
export function formatDate(iso: string | null | undefined, locale: string): string {
  if (!iso) return ''
  const [y, m, d] = iso.slice(0, 10).split('-').map(Number)
  if (!y || !m || !d) return iso
  if (locale.startsWith('zh')) return `${y}年${m}月${d}日`
  return new Date(Date.UTC(y, m - 1, d)).toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })
}

/** A date-time, short: 2026-11-21 14:05 (local time). */
export function formatShortDateTime(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso
  const p = (n: number) => String(n).padStart(2, '0')
  return `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}`
}
