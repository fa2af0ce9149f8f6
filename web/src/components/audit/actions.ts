// The audit actions the server records (dotted verbs such as `account.create`), grouped
// for the action filter, and their names in the UI language. Message keys replace the dots
// with underscores (vue-i18n reads dots as nesting); a key ending in `_` names a prefix.
import type { Composer } from 'vue-i18n'

export const ACTION_GROUPS: { key: string; actions: string[] }[] = [
  { key: 'account', actions: ['account.', 'account.create', 'account.disable', 'account.enable', 'account.grants', 'role.create'] },
  {
    key: 'auth',
    actions: [
      'auth.', 'auth.login', 'auth.login.mfa', 'auth.login.locked', 'auth.login.disabled', 'auth.lockout', 'auth.logout',
      'auth.unlock', 'auth.password.change', 'auth.password.reset', 'auth.mfa.enroll', 'auth.mfa.disable', 'auth.mfa.reset',
      'auth.session.revoke', 'auth.session.revoke_all', 'auth.token.create', 'auth.token.revoke',
    ],
  },
  { key: 'audit', actions: ['audit.', 'audit.search', 'audit.export', 'audit.verify', 'audit.checkpoint', 'audit.purge'] },
  {
    key: 'people',
    actions: [
      'employee.', 'employee.onboard', 'employee.import', 'employee.export', 'employee.view', 'employee.view_sensitive',
      'employee.list_sensitive', 'employee.reveal', 'employee.update_person', 'employee.event.', 'employee.denied.', 'contract.create',
    ],
  },
  {
    key: 'org',
    actions: ['org_unit.', 'org_unit.create', 'org_unit.rename', 'org_unit.move', 'org_unit.dissolve', 'org_unit.merge', 'position.create', 'company.create', 'quota.create'],
  },
  {
    key: 'privacy',
    actions: [
      'privacy.', 'privacy.notice.publish', 'privacy.notice.acknowledge', 'privacy.consent.give', 'privacy.consent.withdraw',
      'privacy.data_copy.view', 'privacy.data_copy.download', 'privacy.request.submit', 'privacy.request.read',
      'privacy.request.accept', 'privacy.request.complete', 'privacy.request.reject', 'privacy.sharing.create',
      'privacy.sharing.update', 'privacy.sharing.delete',
    ],
  },
  { key: 'other', actions: ['route.denied'] },
]

const PREFIXES = ACTION_GROUPS.flatMap((g) => g.actions).filter((a) => a.endsWith('.')).sort((a, b) => b.length - a.length)

type T = Pick<Composer, 't' | 'te'>

const key = (action: string) => `audit.action.${action.replace(/\./g, '_')}`

/** The action's name; an unlisted action under a known prefix reads "人事事项 · transfer". */
export function actionLabel(i18n: T, action: string): string {
  if (i18n.te(key(action))) return i18n.t(key(action))
  const p = PREFIXES.find((x) => action.startsWith(x) && x !== action && !x.match(/^[a-z_]+\.$/))
  if (p && i18n.te(key(p))) return `${i18n.t(key(p))} · ${action.slice(p.length)}`
  return action
}

/** The name of an action as a filter option (prefixes read "… (all)"). */
export function actionOptionLabel(i18n: T, action: string): string {
  return i18n.te(key(action)) ? i18n.t(key(action)) : action
}
