// How payroll figures read: money with thousands separators from the server's decimal strings
// (string work only, so no float ever rounds a fen), signed changes with an arrow, periods as
// the UI language writes a month, and the tag colour of a run status or anomaly.
import type { Anomaly, PayRunStatus } from './api'

type T = (k: string, v?: Record<string, unknown>) => string

const DECIMAL = /^([+-]?)(\d+)(?:\.(\d+))?$/

/** "30000" / "30000.5" → "30,000.00"; a masked or non-numeric value ("****") is shown as is. */
export function money(x: string | number | null | undefined): string {
  if (x === null || x === undefined || x === '') return '—'
  const s = String(x).trim()
  const m = DECIMAL.exec(s)
  if (!m) return s
  const [, sign, int, frac = ''] = m
  const grouped = int.replace(/^0+(?=\d)/, '').replace(/\B(?=(\d{3})+(?!\d))/g, ',')
  const cents = (frac + '00').slice(0, 2)
  const zero = /^0*$/.test(int) && /^0*$/.test(frac)
  return `${sign === '-' && !zero ? '-' : ''}${grouped}.${cents}`
}

/** The sign of a decimal string: 1, -1 or 0 (0 for anything that is not a number). */
export function signOf(x: string | null | undefined): number {
  const m = DECIMAL.exec(String(x ?? '').trim())
  if (!m) return 0
  if (/^0*$/.test(m[2]) && /^0*$/.test(m[3] ?? '')) return 0
  return m[1] === '-' ? -1 : 1
}

/** The sum of decimal strings, added in fen (integers) so no float rounding shows in a total. */
export function sumMoney(xs: (string | null | undefined)[]): string {
  let fen = 0n
  for (const x of xs) {
    const m = DECIMAL.exec(String(x ?? '').trim())
    if (!m) continue
    const v = BigInt(m[2]) * 100n + BigInt(((m[3] ?? '') + '00').slice(0, 2))
    fen += m[1] === '-' ? -v : v
  }
  const neg = fen < 0n
  const a = neg ? -fen : fen
  return `${neg ? '-' : ''}${a / 100n}.${String(a % 100n).padStart(2, '0')}`
}

/** "+1,200.00" / "-300.00" / "0.00" for a difference. */
export function signedMoney(x: string | null | undefined): string {
  if (x === null || x === undefined || x === '') return '—'
  const v = money(x)
  return signOf(x) > 0 ? `+${v}` : v
}

/** A rate as a percentage: "0.08" → "8%", "0.005" → "0.5%". */
export function percent(x: string | number | null | undefined): string {
  if (x === null || x === undefined || x === '') return '—'
  const v = Number(x)
  if (!Number.isFinite(v)) return String(x)
  return `${Number((v * 100).toFixed(4))}%`
}

/** "2026-11" as 2026年11月 / Nov 2026. */
export function periodLabel(period: string | null | undefined, t: T): string {
  if (!period) return ''
  const [y, m] = period.split('-').map(Number)
  if (!y || !m) return period
  return t('payroll.period', { y, m })
}

/** 'YYYY-MM' of a date in China (UTC+8), this month by default. */
export function chinaMonth(now: Date = new Date(), offsetMonths = 0): string {
  const d = new Date(now.getTime() + 8 * 3_600_000)
  const x = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offsetMonths, 1))
  return x.toISOString().slice(0, 7)
}

export function runStatusType(s: PayRunStatus | string | null | undefined): 'success' | 'warning' | 'danger' | 'info' | 'primary' {
  switch (s) {
    case 'computed':
      return 'primary'
    case 'pending_approval':
      return 'warning'
    case 'locked':
      return 'success'
    case 'published':
      return 'success'
    default:
      return 'info'
  }
}

/** Anomalies that need a look before approval are red; informative ones are grey or amber. */
export function anomalyType(a: Anomaly | string): 'danger' | 'warning' | 'info' {
  switch (a) {
    case 'negative_net':
    case 'compute_error':
    case 'below_minimum_wage':
      return 'danger'
    case 'net_changed_sharply':
    case 'missing_from_run':
      return 'warning'
    default:
      return 'info'
  }
}

/** A translated label, or the code itself when this UI does not know it (a newer server). */
export function codeLabel(t: T, te: (k: string) => boolean, prefix: string, code: string | null | undefined): string {
  if (!code) return ''
  const k = `${prefix}.${code}`
  return te(k) ? t(k) : code
}
