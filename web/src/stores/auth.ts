// The signed-in account: who, which roles and permissions (so the UI shows only what the
// server would allow — the server still decides), and the sign-in steps.
import { defineStore } from 'pinia'
import { api, type Schemas } from '@/api/client'

type Me = Schemas['MeView']
type Permission = Me['permissions'][number]

export const useAuth = defineStore('auth', {
  state: () => ({
    me: null as Me | null,
    loaded: false,
    mfaToken: null as string | null,
  }),
  getters: {
    signedIn: (s) => s.me !== null,
    mustEnrolMfa: (s) => !!s.me?.mfa_enrollment_required,
    mustChangePassword: (s) => !!s.me?.password_change_required,
  },
  actions: {
    can(p: Permission | string): boolean {
      return !!this.me?.permissions.includes(p as Permission)
    },
    /** Anything of the HR console (org or people reads beyond oneself). */
    isConsoleUser(): boolean {
      const r = this.me?.roles ?? []
      return r.some((x) => x !== 'employee' && x !== 'manager') || this.can('user_admin') || this.can('audit_read')
    },
    async load(): Promise<void> {
      // Sign-in sets the readable CSRF cookie beside the HttpOnly session cookie: without it
      // there is no session to ask about (and no 401 to log in the console).
      if (!/(?:^|;\s*)bole_csrf=/.test(document.cookie)) {
        this.me = null
        this.loaded = true
        return
      }
      try {
        this.me = await api.get<Me>('/auth/me')
      } catch {
        this.me = null
      } finally {
        this.loaded = true
      }
    },
    /** Step one. Returns 'mfa' when a second factor is needed. */
    async login(username: string, password: string): Promise<'done' | 'mfa'> {
      const r = await api.post<Schemas['LoginResponse']>('/auth/login', { username, password })
      return this.accept(r)
    },
    async loginMfa(code: string): Promise<'done' | 'mfa'> {
      const r = await api.post<Schemas['LoginResponse']>('/auth/login/mfa', { mfa_token: this.mfaToken, code })
      return this.accept(r)
    },
    async accept(r: Schemas['LoginResponse']): Promise<'done' | 'mfa'> {
      if (r.mfa_required && r.mfa_token) {
        this.mfaToken = r.mfa_token
        return 'mfa'
      }
      this.mfaToken = null
      await this.load()
      return 'done'
    },
    async logout(): Promise<void> {
      try {
        await api.post('/auth/logout')
      } finally {
        this.me = null
      }
    },
  },
})
