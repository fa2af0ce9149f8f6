// Reference data the people pages share: data dictionaries (labels of coded fields),
// companies, org units and positions on a day, and a few display helpers. Dictionaries
// and companies change rarely, so they are fetched once per page load; units and
// positions depend on the day asked about and are fetched by the caller.
import { ref, type Ref } from 'vue'
import { useI18n } from 'vue-i18n'
import { api, type Schemas } from '@/api/client'
import { dictLabel, loadDictionaries } from '@/api/lookups'

export type Dictionary = Schemas['DictionaryView']
export type Company = Schemas['Company']
export type OrgUnit = Schemas['OrgUnitView']
export type Position = Schemas['Position']
export type EmployeeStatus = Schemas['EmployeeStatus']

let companies: Promise<Company[]> | null = null
export function fetchCompanies(): Promise<Company[]> {
  companies ??= api.get<Company[]>('/companies').catch((e) => {
    companies = null
    throw e
  })
  return companies
}

export function fetchUnits(asOf: string, companyId?: string | null): Promise<OrgUnit[]> {
  return api.get<OrgUnit[]>('/org-units', { as_of: asOf, company_id: companyId ?? undefined })
}

export function fetchPositions(asOf: string, companyId?: string | null): Promise<Position[]> {
  return api.get<Position[]>('/positions', { as_of: asOf, company_id: companyId ?? undefined })
}

/** Labels of dictionary codes in the UI language; the code itself until the dictionaries arrive. */
export function useDictionaries() {
  const { locale } = useI18n()
  const dicts: Ref<Map<string, Dictionary>> = ref(new Map())
  const ready = loadDictionaries()
    .then((d) => (dicts.value = d))
    .catch(() => {
      /* labels fall back to codes; the page's own loads report errors */
    })
  function label(key: string, code: string | null | undefined): string {
    return dictLabel(dicts.value, key, code, locale.value)
  }
  function options(key: string): { value: string; label: string }[] {
    return (dicts.value.get(key)?.entries ?? []).map((e) => ({ value: e.code, label: dictLabel(dicts.value, key, e.code, locale.value) }))
  }
  return { dicts, label, options, ready }
}

export interface UnitNode {
  value: string
  label: string
  code: string
  children: UnitNode[]
}

export function unitTree(units: OrgUnit[]): UnitNode[] {
  const nodes = new Map<string, UnitNode>()
  for (const u of units) nodes.set(u.id, { value: u.id, label: u.name, code: u.code, children: [] })
  const roots: UnitNode[] = []
  for (const u of units) {
    const n = nodes.get(u.id)!
    const parent = u.parent_id ? nodes.get(u.parent_id) : undefined
    if (parent) parent.children.push(n)
    else roots.push(n)
  }
  return roots
}

export const STATUSES: EmployeeStatus[] = ['probation', 'regular', 'seconded', 'leave_of_absence', 'separated', 'retired']

/** Element Plus tag type of an employee status. */
export function statusTagType(s: EmployeeStatus | null | undefined): 'success' | 'warning' | 'info' | 'danger' | 'primary' {
  switch (s) {
    case 'regular':
      return 'success'
    case 'probation':
      return 'primary'
    case 'seconded':
    case 'leave_of_absence':
      return 'warning'
    case 'separated':
    case 'retired':
      return 'info'
    default:
      return 'info'
  }
}

export { isMasked } from '@/api/lookups'

/** What GET /id-numbers/{number} answers. */
export interface IdReport {
  valid: boolean
  number: string | null
  region_code: string | null
  province: string | null
  birth_date: string | null
  sex: 'male' | 'female' | null
  error_code: string | null
  message: { zh: string; en: string } | null
}

/** Field errors of an ApiError keyed by their last path segment (`job.org_unit_id` → `org_unit_id`). */
export function fieldErrors(fields: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {}
  for (const [k, v] of Object.entries(fields)) {
    const key = k.split('.').pop() ?? k
    out[key] = out[key] ? `${out[key]}；${v.join('；')}` : v.join('；')
  }
  return out
}
