// What the admin pages know about roles, permissions and data scopes, mirroring the
// server's policy (bole-access/src/policy.rs) only to guide the form: the server checks
// every grant again and its message is what the user sees when it refuses.
import type { Schemas } from '@/api/client'

export type Permission = Schemas['Permission']
export type DataScope = Schemas['DataScope']
export type RoleGrant = Schemas['RoleGrant']
export type ScopeKind = DataScope['kind']

export const BUILTIN_ROLES = [
  'employee', 'manager', 'hrbp', 'hr_admin', 'payroll_specialist', 'recruiter', 'trainer',
  'system_admin', 'security_admin', 'auditor',
] as const
export const TRIAD = ['system_admin', 'security_admin', 'auditor']

/** Permissions only the three administrators hold; never in a custom role. */
export const ADMIN_ONLY: Permission[] = ['user_admin', 'role_admin', 'audit_read', 'audit_purge']

/** Permissions in the order and groups the custom-role form shows them. */
export const PERMISSION_GROUPS: { key: string; permissions: Permission[] }[] = [
  { key: 'org', permissions: ['org_read', 'org_write'] },
  { key: 'people', permissions: ['employee_read', 'employee_write', 'employee_import', 'employee_export', 'sensitive_read', 'sensitive_reveal'] },
  { key: 'contract', permissions: ['contract_read', 'contract_write', 'data_quality_read'] },
  { key: 'pay', permissions: ['payroll_read', 'payroll_write'] },
  { key: 'talent', permissions: ['recruitment_read', 'recruitment_write', 'learning_read', 'learning_write'] },
  { key: 'privacy', permissions: ['privacy_admin'] },
]

export function isBuiltin(role: string): boolean {
  return (BUILTIN_ROLES as readonly string[]).includes(role)
}

/** The scopes the server accepts for a role (check_grants). */
export function allowedScopes(role: string): ScopeKind[] {
  if (role === 'employee') return ['own']
  if (role === 'manager') return ['direct_reports']
  if (role === 'hrbp') return ['subtrees']
  if (TRIAD.includes(role)) return ['all']
  return ['subtrees', 'companies', 'all']
}

/** Roles whose scope is the holder's own record or reports: they need a linked employee record. */
export function needsEmployee(role: string): boolean {
  return role === 'employee' || role === 'manager'
}

export function emptyScope(kind: ScopeKind): DataScope {
  if (kind === 'subtrees') return { kind, units: [] }
  if (kind === 'companies') return { kind, companies: [] }
  return { kind } as DataScope
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i
export function isUuid(s: string): boolean {
  return UUID.test(s.trim())
}

/** The tail of a UUID: ids are UUIDv7 here, whose leading digits are a timestamp shared by
 *  everything created in the same moment, so the end is what tells them apart. */
export function shortId(id: string): string {
  return id.length > 13 ? `…${id.slice(-8)}` : id
}

/** Copies text; falls back to a hidden textarea where the Clipboard API is not available. */
export async function copyText(text: string): Promise<boolean> {
  try {
    if (navigator.clipboard && window.isSecureContext) {
      await navigator.clipboard.writeText(text)
      return true
    }
  } catch {
    /* fall back below */
  }
  const ta = document.createElement('textarea')
  ta.value = text
  ta.setAttribute('readonly', '')
  ta.style.position = 'fixed'
  ta.style.opacity = '0'
  document.body.appendChild(ta)
  ta.select()
  let ok = false
  try {
    ok = document.execCommand('copy')
  } catch {
    ok = false
  }
  ta.remove()
  return ok
}

/** A password the default policy accepts: 16 characters with every class, from the CSPRNG. */
export function generatePassword(length = 16): string {
  const sets = ['ABCDEFGHJKLMNPQRSTUVWXYZ', 'abcdefghijkmnopqrstuvwxyz', '23456789', '!@#$%^&*-_=+?']
  const all = sets.join('')
  const rand = (n: number) => {
    const buf = new Uint32Array(1)
    crypto.getRandomValues(buf)
    return buf[0] % n
  }
  const chars = sets.map((s) => s[rand(s.length)])
  while (chars.length < length) chars.push(all[rand(all.length)])
  for (let i = chars.length - 1; i > 0; i--) {
    const j = rand(i + 1)
    ;[chars[i], chars[j]] = [chars[j], chars[i]]
  }
  return chars.join('')
}
