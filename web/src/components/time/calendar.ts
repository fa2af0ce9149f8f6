// The national work calendar of a year (days off, make-up workdays, statutory holidays, plus
// the company's layer days), fetched once per year per page load; and the kind of a day on it.
import { api } from '@/api/client'
import type { CalendarYear } from './api'
import { weekday } from './shared'

const years = new Map<number, Promise<CalendarYear | null>>()

/** A year's calendar, or null when the server has none for it (a year not yet published). */
export function loadCalendar(year: number): Promise<CalendarYear | null> {
  let p = years.get(year)
  if (!p) {
    p = api.get<CalendarYear>(`/calendars/${year}`).catch(() => {
      years.delete(year)
      return null
    })
    years.set(year, p)
  }
  return p
}

export type DayKind = 'workday' | 'restday' | 'holiday'

/** Working day, rest day, or statutory holiday (300%) — for the hints a form shows; the server decides. */
export function dayKind(cal: CalendarYear | null, iso: string): DayKind {
  if (cal?.statutory_holidays.includes(iso)) return 'holiday'
  if (cal?.makeup_workdays.includes(iso)) return 'workday'
  if (cal?.days_off.includes(iso)) return 'restday'
  return weekday(iso) >= 6 ? 'restday' : 'workday'
}
