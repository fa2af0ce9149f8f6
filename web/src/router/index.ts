// Routes and the sign-in guard. Self-service pages (/me…) use the phone-first layout;
// the HR console, administration and audit pages use the console layout. `meta.permission`
// only hides what the server would refuse anyway: the server decides every request.
import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuth } from '@/stores/auth'

declare module 'vue-router' {
  interface RouteMeta {
    public?: boolean
    permission?: string
    /** i18n key of the page title */
    title?: string
  }
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/pages/LoginPage.vue'), meta: { public: true, title: 'login.title' } },
  {
    path: '/me',
    component: () => import('@/layouts/MobileLayout.vue'),
    children: [
      { path: '', name: 'me-home', component: () => import('@/pages/me/HomePage.vue'), meta: { title: 'nav.home' } },
      { path: 'profile', name: 'me-profile', component: () => import('@/pages/me/ProfilePage.vue'), meta: { title: 'nav.profile' } },
      { path: 'timeline', name: 'me-timeline', component: () => import('@/pages/me/TimelinePage.vue'), meta: { title: 'nav.timeline' } },
      { path: 'contracts', name: 'me-contracts', component: () => import('@/pages/me/ContractsPage.vue'), meta: { title: 'nav.contracts' } },
      { path: 'privacy', name: 'me-privacy', component: () => import('@/pages/me/PrivacyPage.vue'), meta: { title: 'nav.privacy' } },
      { path: 'sessions', name: 'me-sessions', component: () => import('@/pages/me/SessionsPage.vue'), meta: { title: 'nav.sessions' } },
      // time, leave and approvals
      { path: 'clock', name: 'me-clock', component: () => import('@/pages/me/ClockPage.vue'), meta: { title: 'time.nav.clock' } },
      { path: 'attendance', name: 'me-attendance', component: () => import('@/pages/me/AttendancePage.vue'), meta: { title: 'time.nav.attendance' } },
      { path: 'leave', name: 'me-leave', component: () => import('@/pages/me/LeavePage.vue'), meta: { title: 'time.nav.leave' } },
      { path: 'leave/apply', name: 'me-leave-apply', component: () => import('@/pages/me/LeaveApplyPage.vue'), meta: { title: 'time.nav.leaveApply' } },
      { path: 'overtime', name: 'me-overtime', component: () => import('@/pages/me/OvertimeApplyPage.vue'), meta: { title: 'time.nav.overtime' } },
      { path: 'approvals', name: 'me-approvals', component: () => import('@/pages/me/ApprovalsPage.vue'), meta: { title: 'time.nav.approvals' } },
      { path: 'approvals/:id', name: 'me-approval', component: () => import('@/pages/me/ApprovalDetailPage.vue'), meta: { title: 'time.nav.approval' } },
      { path: 'notifications', name: 'me-notifications', component: () => import('@/pages/me/NotificationsPage.vue'), meta: { title: 'time.nav.notifications' } },
      { path: 'team', name: 'me-team', component: () => import('@/pages/hr/TeamCalendarPage.vue'), meta: { title: 'time.nav.team' } },
      // payroll
      { path: 'payslips', name: 'me-payslips', component: () => import('@/pages/me/payroll/PayslipsPage.vue'), meta: { title: 'payroll.nav.payslips' } },
      { path: 'payslips/:id', name: 'me-payslip', component: () => import('@/pages/me/payroll/PayslipPage.vue'), meta: { title: 'payroll.nav.payslip' } },
      { path: 'deductions', name: 'me-deductions', component: () => import('@/pages/me/payroll/DeductionsPage.vue'), meta: { title: 'payroll.nav.deductions' } },
    ],
  },
  {
    path: '/',
    component: () => import('@/layouts/ConsoleLayout.vue'),
    children: [
      { path: '', name: 'root', redirect: () => (useAuth().isConsoleUser() ? { name: 'console-home' } : { name: 'me-home' }) },
      { path: 'hr', name: 'console-home', redirect: () => consoleHome() },
      { path: 'hr/org-chart', name: 'org-chart', component: () => import('@/pages/hr/OrgChartPage.vue'), meta: { permission: 'org_read', title: 'nav.orgChart' } },
      { path: 'hr/org-units', name: 'org-units', component: () => import('@/pages/hr/OrgUnitsPage.vue'), meta: { permission: 'org_read', title: 'nav.units' } },
      { path: 'hr/positions', name: 'positions', component: () => import('@/pages/hr/PositionsPage.vue'), meta: { permission: 'org_read', title: 'nav.positions' } },
      { path: 'hr/employees', name: 'employees', component: () => import('@/pages/hr/EmployeesPage.vue'), meta: { permission: 'employee_read', title: 'nav.directory' } },
      { path: 'hr/employees/:id', name: 'employee', component: () => import('@/pages/hr/EmployeePage.vue'), meta: { permission: 'employee_read', title: 'nav.directory' } },
      { path: 'hr/import', name: 'import', component: () => import('@/pages/hr/ImportPage.vue'), meta: { permission: 'employee_import', title: 'nav.import' } },
      { path: 'hr/team-calendar', name: 'team-calendar', component: () => import('@/pages/hr/TeamCalendarPage.vue'), meta: { permission: 'time_read', title: 'time.nav.team' } },
      { path: 'hr/attendance-summaries', name: 'attendance-summaries', component: () => import('@/pages/hr/AttendanceSummaryPage.vue'), meta: { permission: 'time_read', title: 'time.nav.summaries' } },
      { path: 'hr/calendars', name: 'calendars', component: () => import('@/pages/hr/CalendarsPage.vue'), meta: { permission: 'time_read', title: 'time.nav.calendars' } },
      { path: 'hr/shifts', name: 'shifts', component: () => import('@/pages/hr/ShiftsPage.vue'), meta: { permission: 'time_read', title: 'time.nav.shifts' } },
      { path: 'hr/leave-types', name: 'leave-types', component: () => import('@/pages/hr/LeaveTypesPage.vue'), meta: { permission: 'time_read', title: 'time.nav.leaveTypes' } },
      { path: 'hr/payroll/runs', name: 'pay-runs', component: () => import('@/pages/hr/payroll/PayRunsPage.vue'), meta: { permission: 'payroll_read', title: 'payroll.nav.runs' } },
      { path: 'hr/payroll/runs/:id', name: 'pay-run', component: () => import('@/pages/hr/payroll/PayRunPage.vue'), meta: { permission: 'payroll_read', title: 'payroll.nav.run' } },
      { path: 'hr/payroll/components', name: 'pay-components', component: () => import('@/pages/hr/payroll/ComponentsPage.vue'), meta: { permission: 'payroll_read', title: 'payroll.nav.components' } },
      { path: 'hr/payroll/structures', name: 'pay-structures', component: () => import('@/pages/hr/payroll/StructuresPage.vue'), meta: { permission: 'payroll_read', title: 'payroll.nav.structures' } },
      { path: 'hr/payroll/si-policies', name: 'si-policies', component: () => import('@/pages/hr/payroll/SiPoliciesPage.vue'), meta: { permission: 'payroll_read', title: 'payroll.nav.si' } },
      { path: 'hr/payroll/salary', name: 'salary-records', component: () => import('@/pages/hr/payroll/SalaryPage.vue'), meta: { permission: 'payroll_read', title: 'payroll.nav.salary' } },
      { path: 'admin/accounts', name: 'accounts', component: () => import('@/pages/admin/AccountsPage.vue'), meta: { permission: 'user_admin', title: 'nav.accounts' } },
      { path: 'admin/roles', name: 'roles', component: () => import('@/pages/admin/RolesPage.vue'), meta: { permission: 'role_admin', title: 'nav.roles' } },
      { path: 'audit/records', name: 'audit-records', component: () => import('@/pages/audit/AuditRecordsPage.vue'), meta: { permission: 'audit_read', title: 'nav.auditSearch' } },
      { path: 'audit/verify', name: 'audit-verify', component: () => import('@/pages/audit/AuditVerifyPage.vue'), meta: { permission: 'audit_read', title: 'nav.auditVerify' } },
      { path: ':rest(.*)*', name: 'not-found', component: () => import('@/pages/NotFoundPage.vue'), meta: { title: 'state.notFound' } },
    ],
  },
]

/** The first console page this account may open. */
export function consoleHome() {
  const auth = useAuth()
  // A payroll specialist's work starts at the pay runs.
  if (auth.can('payroll_write')) return { name: 'pay-runs' }
  if (auth.can('org_read')) return { name: 'org-chart' }
  if (auth.can('employee_read')) return { name: 'employees' }
  if (auth.can('user_admin')) return { name: 'accounts' }
  if (auth.can('role_admin')) return { name: 'roles' }
  if (auth.can('audit_read')) return { name: 'audit-records' }
  return { name: 'me-home' }
}

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach(async (to) => {
  const auth = useAuth()
  if (!auth.loaded) await auth.load()
  if (to.meta.public) return true
  if (!auth.signedIn) return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  // A session that must enrol MFA or change its password can do only that.
  if (auth.mustEnrolMfa || auth.mustChangePassword) return { name: 'login' }
  return true
})
