// What the time, leave and approval pages share: month arithmetic for calendars (ISO strings,
// computed in UTC so no time zone shifts a day), the colour of each attendance status, how
// minutes and leave amounts read, and the tag colour of an application's status.
import type { TagType } from 'vant'

/** 'YYYY-MM' of an ISO date (today's month when none is given). */
export function monthOf(iso: string): string {
  return iso.slice(0, 7)
}

/** The month `n` months after `month` ('YYYY-MM'). */
export function addMonths(month: string, n: number): string {
  const [y, m] = month.split('-').map(Number)
  const d = new Date(Date.UTC(y, m - 1 + n, 1))
  return d.toISOString().slice(0, 7)
}

/** Every day of a month as ISO dates. */
export function daysOfMonth(month: string): string[] {
  const [y, m] = month.split('-').map(Number)
  const n = new Date(Date.UTC(y, m, 0)).getUTCDate()
  return Array.from({ length: n }, (_, i) => `${month}-${String(i + 1).padStart(2, '0')}`)
}

/** ISO weekday: 1 = Monday … 7 = Sunday. */
export function weekday(iso: string): number {
  const d = new Date(`${iso}T00:00:00Z`).getUTCDay()
  return d === 0 ? 7 : d
}

/** A month as the UI language writes it: 2026年11月 / 11/2026. */
export function monthLabel(month: string, t: (k: string, v?: Record<string, unknown>) => string): string {
  const [y, m] = month.split('-').map(Number)
  return t('time.month', { y, m })
}

/** Attendance statuses the server derives, in legend order. */
export const STATUSES = [
  'present', 'late', 'early_leave', 'late_and_early', 'absent', 'missing_punch', 'leave', 'rest_day', 'holiday', 'scheduled', 'not_employed',
] as const
export type DayStatus = (typeof STATUSES)[number]

/** Background and text colours of a status (a legend repeats them, colour is never the only cue: the label is shown too). */
export const STATUS_COLOURS: Record<string, { bg: string; fg: string }> = {
  present: { bg: '#e8f7ee', fg: '#1b7f3b' },
  late: { bg: '#fff4e0', fg: '#b35c00' },
  early_leave: { bg: '#fff4e0', fg: '#b35c00' },
  late_and_early: { bg: '#ffe8d1', fg: '#a14a00' },
  absent: { bg: '#ffe9e8', fg: '#c4271b' },
  missing_punch: { bg: '#fdecf3', fg: '#b0245f' },
  leave: { bg: '#e8f0fd', fg: '#1f5fbf' },
  rest_day: { bg: '#f2f3f5', fg: '#86909c' },
  holiday: { bg: '#fdeeee', fg: '#d0342c' },
  scheduled: { bg: '#ffffff', fg: '#4e5969' },
  not_employed: { bg: '#f7f8fa', fg: '#c9cdd4' },
}
export function statusColour(s: string | null | undefined) {
  return STATUS_COLOURS[s ?? ''] ?? { bg: '#ffffff', fg: '#4e5969' }
}
/** Statuses that need the employee's attention (a correction or an explanation). */
export function isAbnormal(s: string | null | undefined): boolean {
  return s === 'late' || s === 'early_leave' || s === 'late_and_early' || s === 'absent' || s === 'missing_punch'
}

type T = (k: string, v?: Record<string, unknown>, plural?: number) => string

/** 95 → "1 小时 35 分"; 30 → "30 分钟"; 120 → "2 小时". */
export function minutesText(min: number | null | undefined, t: T): string {
  const n = Math.max(0, Math.round(min ?? 0))
  const h = Math.floor(n / 60)
  const m = n % 60
  if (h === 0) return t('time.minutes', { n: m })
  if (m === 0) return t('time.hours', { n: h })
  return t('time.hm', { h, m })
}

/** A number without trailing zeros: 1.50 → "1.5", 2.0 → "2". */
export function num(x: number | string | null | undefined, digits = 2): string {
  const v = typeof x === 'string' ? Number(x) : (x ?? 0)
  if (!Number.isFinite(v)) return String(x ?? '')
  return String(Number(v.toFixed(digits)))
}

/** Tag colour of an application / approval instance / task status. */
export function appStatusType(s: string | null | undefined): TagType {
  switch (s) {
    case 'approved':
    case 'done':
      return 'success'
    case 'pending':
    case 'open':
      return 'primary'
    case 'returned':
      return 'warning'
    case 'rejected':
      return 'danger'
    default:
      return 'default'
  }
}

/** The same for Element Plus tags (the console pages). */
export function elStatusType(s: string | null | undefined): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  const v = appStatusType(s)
  return v === 'default' ? 'info' : v
}

/** A translated label, falling back to the code when the UI does not know it (a newer server). */
export function label(t: T, te: (k: string) => boolean, prefix: string, code: string | null | undefined): string {
  if (!code) return ''
  const k = `${prefix}.${code}`
  return te(k) ? t(k) : code
}

/** "2026-12-01" or "2026-12-01 至 2026-12-03". */
export function rangeText(from: string, to: string | null | undefined, t: T): string {
  if (!to || to === from) return t('time.leave.oneDay', { date: from })
  return t('time.leave.range', { from, to })
}

/** HH:MM of an instant in local time. */
export function hhmm(iso: string | null | undefined): string {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return iso.slice(11, 16)
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`
}

/** A leave amount given in days (the server's decimal string), in the type's unit: days, or hours (8 a day) for hourly types. */
export function leaveAmount(days: number | string | null | undefined, unit: string | null | undefined, t: T): string {
  const d = typeof days === 'string' ? Number(days) : (days ?? 0)
  return unit === 'hour' ? t('time.hours', { n: num(d * 8) }) : t('time.days', { n: num(d) }, d === 1 ? 1 : 2)
}

/** The local (UTC+8) time of a punch, HH:MM — the server's wall clock, whatever the phone's zone. */
export function punchTime(p: { at: string; local_time?: string }): string {
  return p.local_time ? p.local_time.slice(11, 16) : hhmm(p.at)
}

/** A leave type's name in the UI language. */
export function typeName(lt: { name_zh: string; name_en: string } | null | undefined, locale: string, fallback = ''): string {
  if (!lt) return fallback
  return locale.startsWith('en') ? lt.name_en || lt.name_zh : lt.name_zh
}

/**
 * Today's date in China (UTC+8, no daylight saving): attendance days, punches and leave are
 * all dated on the server's China wall clock, whatever zone the phone or browser is set to.
 */
export function chinaToday(now: Date = new Date()): string {
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10)
}
