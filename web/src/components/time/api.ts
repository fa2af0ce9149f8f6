// The shapes the time, leave and approval pages read and send: the server's models from the
// generated API types, plus local shapes where the OpenAPI document leaves a part opaque (the
// calendar summary, calendar layers and shift rules). Decimals (days, ratios) arrive as strings.
import type { Schemas } from '@/api/client'

export type Punch = Schemas['PunchView']

export type AttendanceDay = Schemas['AttendanceDay']

export type MonthTotals = Schemas['MonthTotals']

export type MyMonth = Schemas['MyMonth']

export type TeamMember = Schemas['TeamMember']

export type TeamMonth = Schemas['TeamMonth']

/** `GET /calendars/{year}`: the national arrangement with the company's layers applied. */
export interface CalendarYear {
  year: number
  notice?: string
  source?: string
  layers?: string[]
  days_off: string[]
  makeup_workdays: string[]
  statutory_holidays: string[]
  /** Days set by the company's layers (already applied to the lists above). */
  layer_days?: { layer_id: string; layer: string; date: string; kind: string; note?: string | null }[]
}

export interface DayOverride { date: string; kind: string; note?: string | null }
export interface StoredLayer {
  id: string
  company_id?: string | null
  region?: string | null
  layer: { name: string; source?: string | null; valid: { from: string; to?: string | null }; days: DayOverride[] }
  created_at: string
}

export interface ShiftRule {
  kind: 'fixed' | 'flexible' | 'rotating' | 'comprehensive' | string
  [k: string]: unknown
}
export interface Shift {
  id: string
  code: string
  name: string
  rule: ShiftRule
  active: boolean
}

export type ShiftAssignment = Schemas['ShiftAssignment']

export type Entitlement = Schemas['Entitlement']
export type LeaveType = Schemas['LeaveType']

export type BalanceView = Schemas['BalanceView']
export type BalanceSheet = Schemas['BalanceSheet']

export type LeaveQuote = Schemas['LeaveQuote']

export type LeaveApplicationView = Schemas['LeaveApplicationView']

export type OvertimeApplication = Schemas['OvertimeApplication']

export type PunchCorrection = Schemas['PunchCorrection']

export type InboxItem = Schemas['InboxItem']

export type InstanceSummary = Schemas['InstanceSummary']

export type PlannedStep = Schemas['PlannedStep']
export type TaskView = Schemas['TaskView']
export type HistoryView = Schemas['HistoryView']
export type InstanceView = Schemas['InstanceView']

export type Notification = Schemas['Notification']

export type MonthlySummary = Schemas['MonthlySummary']

export interface Page<T> {
  items: T[]
  total: number
  page?: number
  page_size?: number
}

/** A paged answer or a plain list: the list endpoints answer one or the other. */
export function itemsOf<T>(x: Page<T> | T[] | null | undefined): T[] {
  if (!x) return []
  return Array.isArray(x) ? x : (x.items ?? [])
}

/** The balances of a balance sheet, or the list itself. */
export function balancesOf(x: BalanceSheet | BalanceView[] | null | undefined): BalanceView[] {
  if (!x) return []
  return Array.isArray(x) ? x : x.balances
}
