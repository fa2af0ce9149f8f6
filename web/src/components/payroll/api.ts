// The payroll pages' shapes and calls: pay components and structures, salary assignments, SI/HF
// policies and their preview, special additional deduction declarations, pay runs (compute,
// review, approval, publish, exports) and payslips. Money arrives as decimal strings ("30000.00")
// and is shown as the server sends it — never parsed into a float for arithmetic.
import { api, type Query, type Schemas } from '@/api/client'

// The server's models (bole_payroll::model), from the generated API types.
export type ComponentKind = Schemas['ComponentKind']
export type ComponentCategory = Schemas['ComponentCategory']
export type PayComponent = Schemas['PayComponent']
export type StructureItem = Schemas['StructureItem']
export type PayStructure = Schemas['PayStructure']
export type SalaryAssignmentView = Schemas['SalaryAssignmentView']
export type SiKind = Schemas['SiKind']
export type SiItem = Schemas['SiItem']
export type SiPolicy = Schemas['SiPolicy']
export type SiLine = Schemas['SiLine']
export type AdditionalKind = Schemas['AdditionalKind']
export type DeductionDetails = Schemas['DeductionDetails']
export type DeductionDeclaration = Schemas['DeductionDeclaration']
export type PayRunStatus = Schemas['PayRunStatus']
export type RunTotals = Schemas['RunTotals']
export type PayRun = Schemas['PayRun']
export type Anomaly = Schemas['Anomaly']
export type ItemError = Schemas['ItemError']
export type ReviewRow = Schemas['ReviewRow']
export type ComputeErrorRow = Schemas['ComputeErrorRow']
export type ComputeReport = Schemas['ComputeReport']
export type PayLine = Schemas['PayLine']
export type TaxWorking = Schemas['TaxWorking']
export type PayFacts = Schemas['PayFacts']
export type Payslip = Schemas['Payslip']
export type PayslipView = Schemas['PayslipView']
export type PayslipSummary = Schemas['PayslipSummary']
export type SiPreview = Schemas['SiPreview']
export type PayRunReview = Schemas['PayRunReview']
export type InstanceView = Schemas['InstanceView']

export const RUN_STATUSES: PayRunStatus[] = ['draft', 'computed', 'pending_approval', 'locked', 'published']
export const COMPONENT_KINDS: ComponentKind[] = ['earning', 'deduction', 'pre_tax_deduction', 'employer_cost', 'info']
export const COMPONENT_CATEGORIES: ComponentCategory[] = [
  'base', 'allowance', 'bonus', 'annual_bonus', 'overtime', 'attendance', 'social_insurance', 'housing_fund', 'tax', 'tax_exempt', 'other',
]
export const ADDITIONAL_KINDS: AdditionalKind[] = [
  'child_education', 'infant_care', 'continuing_education_degree', 'continuing_education_certificate', 'housing_loan', 'housing_rent', 'elderly_support',
]
export const EXPORT_KINDS = ['bank_csv', 'bank_xlsx', 'iit_xlsx', 'si_xlsx', 'register_xlsx', 'cost_xlsx'] as const
export type ExportKind = (typeof EXPORT_KINDS)[number]

/**
 * The formula variables of the month (documented by `bole_payroll::formula`); a formula also sees
 * the codes of the items above it.
 */
export const FORMULA_VARIABLES = [
  'base', 'daily_wage', 'hourly_wage', 'paid_days', 'full_paid_days', 'proration', 'employed_days', 'days_in_month',
  'scheduled_days', 'present_days', 'absent_days', 'late_count', 'late_minutes', 'early_count', 'missing_punches',
  'unpaid_leave_days', 'overtime_workday_hours', 'overtime_rest_day_hours', 'overtime_holiday_hours', 'months_here',
] as const

interface Paged<T> { items: T[]; total: number }

export const payroll = {
  // —— components and structures ——
  components: (companyId?: string | null) =>
    api.get<PayComponent[]>('/payroll/components', { company_id: companyId ?? undefined }),
  createComponent: (body: Record<string, unknown>) => api.post<PayComponent>('/payroll/components', body),
  updateComponent: (id: string, body: Record<string, unknown>) => api.patch<PayComponent>(`/payroll/components/${id}`, body),
  structures: (companyId?: string | null) =>
    api.get<PayStructure[]>('/payroll/structures', { company_id: companyId ?? undefined }),
  structure: (id: string) => api.get<PayStructure>(`/payroll/structures/${id}`),
  createStructure: (body: Record<string, unknown>) => api.post<PayStructure>('/payroll/structures', body),
  updateStructure: (id: string, body: Record<string, unknown>) => api.patch<PayStructure>(`/payroll/structures/${id}`, body),

  // —— salary, SI/HF ——
  salary: (employeeId: string) =>
    api.get<SalaryAssignmentView[]>(`/employees/${employeeId}/salary`),
  addSalary: (employeeId: string, body: Record<string, unknown>) => api.post<SalaryAssignmentView>(`/employees/${employeeId}/salary`, body),
  siPolicies: (query?: Query) => api.get<SiPolicy[]>('/payroll/si-policies', query),
  addSiPolicy: (body: Record<string, unknown>) => api.post<SiPolicy>('/payroll/si-policies', body),
  siPreview: (body: Record<string, unknown>) => api.post<SiPreview>('/payroll/si-preview', body),

  // —— declarations ——
  myDeductions: (year?: number) =>
    api.get<DeductionDeclaration[]>('/me/deductions', { year }),
  declare: (body: Record<string, unknown>) => api.post<DeductionDeclaration>('/me/deductions', body),
  withdraw: (id: string) => api.post<void>(`/me/deductions/${id}/withdraw`),

  // —— pay runs ——
  runs: (query?: Query) => api.get<Paged<PayRun>>('/pay-runs', query).then((p) => p.items),
  createRun: (body: Record<string, unknown>) => api.post<PayRun>('/pay-runs', body),
  run: (id: string) => api.get<PayRun>(`/pay-runs/${id}`),
  compute: (id: string) => api.post<ComputeReport>(`/pay-runs/${id}/compute`),
  review: (id: string) => api.get<PayRunReview>(`/pay-runs/${id}/review`),
  submit: (id: string, body: { acknowledge_errors: boolean; comment?: string | null }) => api.post<PayRun>(`/pay-runs/${id}/submit`, body),
  decide: (id: string, action: 'approve' | 'reject' | 'return', comment?: string | null) =>
    api.post<PayRun>(`/pay-runs/${id}/${action}`, { comment: comment ?? null }),
  publish: (id: string) => api.post<PayRun>(`/pay-runs/${id}/publish`),
  exportRun: (id: string, kind: ExportKind, fallbackName: string) => api.download(`/pay-runs/${id}/exports/${kind}`, undefined, fallbackName),
  approval: (approvalId: string) => api.get<InstanceView>(`/approvals/${approvalId}`),

  // —— payslips ——
  myPayslips: () => api.get<PayslipSummary[]>('/me/payslips'),
  payslip: (id: string) => api.get<PayslipView>(`/payslips/${id}`),
  payslipPdf: (id: string, fallbackName: string) => api.download(`/payslips/${id}/pdf`, undefined, fallbackName),
}
