// vue-i18n with zh-CN as the default and en-US. Messages live per area under ./messages
// (each file exports both languages), so each part of the app owns its own texts.
import { createI18n } from 'vue-i18n'
import { setApiLanguage } from '@/api/client'
import common from './messages/common'
import me from './messages/me'
import org from './messages/org'
import people from './messages/people'
import admin from './messages/admin'
import audit from './messages/audit'
import time from './messages/time'
import payroll from './messages/payroll'

export type Locale = 'zh-CN' | 'en-US'
export const LOCALES: { value: Locale; label: string }[] = [
  { value: 'zh-CN', label: '简体中文' },
  { value: 'en-US', label: 'English' },
]

// Shared texts at the root (`t('actions.save')`), each area under its name (`t('people.onboard')`).
const areas = { me, org, people, admin, audit, time, payroll }
function build(locale: Locale) {
  const out: Record<string, unknown> = { ...common[locale] }
  for (const [k, v] of Object.entries(areas)) out[k] = v[locale]
  return out
}

function initial(): Locale {
  const saved = localStorage.getItem('bole.locale')
  if (saved === 'zh-CN' || saved === 'en-US') return saved
  return 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: initial(),
  fallbackLocale: 'zh-CN',
  messages: { 'zh-CN': build('zh-CN'), 'en-US': build('en-US') } as never,
})
setApiLanguage(i18n.global.locale.value)
document.documentElement.lang = i18n.global.locale.value

export function setLocale(l: Locale) {
  i18n.global.locale.value = l
  localStorage.setItem('bole.locale', l)
  setApiLanguage(l)
  document.documentElement.lang = l
}
