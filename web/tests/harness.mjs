// Browser-test harness: a real Bole server on a free port with a fresh demo database, and
// Debian's Chromium driven by playwright-core (never a downloaded browser). Each test file
// starts its own server, so files are independent; the same password is used for every
// demo account (BOLE_ADMIN_PASSWORD) and privileged accounts enrol TOTP at first sign-in —
// `signIn` does the enrolment and keeps the secret so later sign-ins answer the code.
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, mkdirSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { chromium } from 'playwright-core'
import * as OTPAuth from 'otpauth'

export const ROOT = fileURLToPath(new URL('../..', import.meta.url))
export const PASSWORD = 'Demo-Passw0rd!2026'
export const PHONE = { width: 390, height: 844 }
export const DESKTOP = { width: 1440, height: 900 }
const CHROMIUM = process.env.BOLE_CHROMIUM ?? '/usr/bin/chromium'
const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
]

let built = false
/** The debug `bole` binary (built once per process; cargo makes it a no-op when fresh). */
export function boleBinary() {
  const bin = process.env.BOLE_BIN ?? join(ROOT, 'target/debug/bole')
  if (!process.env.BOLE_BIN && !built) {
    execFileSync('cargo', ['build', '-q', '--locked', '-p', 'bole'], { cwd: ROOT, stdio: 'inherit' })
    built = true
  }
  return bin
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer()
    s.unref()
    s.on('error', reject)
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address()
      s.close(() => resolve(port))
    })
  })
}

/**
 * Starts `bole demo` on a free port with a fresh data directory and waits until it is ready.
 * Returns { url, dataDir, stop, log }.
 */
export async function startServer({ employees = 500 } = {}) {
  const bin = boleBinary()
  const dataDir = mkdtempSync(join(tmpdir(), 'bole-e2e-'))
  const port = await freePort()
  const url = `http://127.0.0.1:${port}`
  let log = ''
  const child = spawn(
    bin,
    ['demo', '--data-dir', dataDir, '--listen', `127.0.0.1:${port}`, '--employees', String(employees), '--seed', '20261121'],
    {
      cwd: dataDir,
      env: {
        ...process.env,
        BOLE_ADMIN_PASSWORD: PASSWORD,
        RUST_LOG: process.env.RUST_LOG ?? 'warn',
        // A build of the app elsewhere than web/dist (BOLE_WEB_DIR), when the caller gives one.
        ...(process.env.BOLE_WEB_DIR ? { BOLE_HTTP__WEB_DIR: process.env.BOLE_WEB_DIR } : {}),
        // Browser tests sign in many times from one address.
        BOLE_SECURITY__RATE_LIMIT__LOGIN_PER_MINUTE: '0',
        BOLE_SECURITY__RATE_LIMIT__MFA_PER_MINUTE: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  )
  child.stdout.on('data', (d) => (log += d))
  child.stderr.on('data', (d) => (log += d))
  let exited = null
  child.on('exit', (code) => (exited = code))
  const deadline = Date.now() + 120_000
  for (;;) {
    if (exited !== null) throw new Error(`bole demo exited with ${exited}:\n${log}`)
    try {
      const r = await fetch(`${url}/readyz`)
      if (r.ok) break
    } catch {
      /* not listening yet */
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL')
      throw new Error(`bole demo did not become ready in 120 s:\n${log}`)
    }
    await new Promise((r) => setTimeout(r, 250))
  }
  return {
    url,
    dataDir,
    log: () => log,
    async stop() {
      child.kill('SIGTERM')
      await new Promise((r) => (exited !== null ? r() : child.on('exit', r)))
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

const profiles = []
/** A fresh browser context (own user-data dir, so own cookies) at a viewport. */
export async function newContext(viewport = DESKTOP, { locale = 'zh-CN' } = {}) {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: \`make web-test\` installs Debian's chromium`)
  const dir = mkdtempSync(join(tmpdir(), 'bole-chromium-'))
  profiles.push(dir)
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: CHROMIUM,
    headless: true,
    args: FLAGS,
    viewport,
    locale,
    isMobile: viewport.width < 768,
    hasTouch: viewport.width < 768,
    deviceScaleFactor: 1,
  })
  return context
}

/** Closes contexts' profiles made by this process. */
export function cleanupProfiles() {
  for (const d of profiles.splice(0)) rmSync(d, { recursive: true, force: true })
}

/**
 * A page that records console errors and uncaught exceptions. `allowed` are patterns of
 * console errors a test expects (e.g. the 403 a refusal test provokes); `errors()` returns
 * the rest, which a test asserts to be empty.
 */
export async function newPage(context, { allowed = [] } = {}) {
  const page = context.pages()[0] ?? (await context.newPage())
  const seen = []
  page.on('console', (m) => {
    if (m.type() === 'error' && !allowed.some((re) => re.test(m.text()))) seen.push(`console: ${m.text()}`)
  })
  page.on('pageerror', (e) => seen.push(`pageerror: ${e.message}`))
  page.errors = () => seen.slice()
  page.allowErrors = (...res) => allowed.push(...res)
  return page
}

const secrets = new Map()
/** The current TOTP code of an enrolled account. */
export function totp(secret) {
  return new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate()
}

/** A code that was not used yet by this account (the server refuses a replayed code). */
const lastCode = new Map()
async function freshCode(username) {
  const secret = secrets.get(username)
  for (;;) {
    const code = totp(secret)
    if (lastCode.get(username) !== code) {
      lastCode.set(username, code)
      return code
    }
    await new Promise((r) => setTimeout(r, 1000))
  }
}

/**
 * Signs in through the login page as a demo account, handling TOTP enrolment (first sign-in
 * of a privileged account) and the second step afterwards. Resolves when the app has left
 * the login page.
 */
export async function signIn(page, server, username, password = PASSWORD) {
  await page.goto(`${server.url}/login`)
  await page.locator('#username').fill(username)
  await page.locator('#password').fill(password)
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click()
  const step = await Promise.race([
    page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 }).then(() => 'done'),
    page.locator('[data-testid=totp-secret]').waitFor({ timeout: 30_000 }).then(() => 'enrol'),
    page.locator('#mfa-code').waitFor({ timeout: 30_000 }).then(() => 'mfa'),
    page.locator('[data-testid=login-error]').waitFor({ timeout: 30_000 }).then(() => 'error'),
  ])
  if (step === 'error') throw new Error(`sign-in refused: ${await page.locator('[data-testid=login-error]').innerText()}`)
  if (step === 'enrol') {
    const secret = (await page.locator('[data-testid=totp-secret]').innerText()).trim()
    secrets.set(username, secret)
    await page.locator('#enrol-code').fill(await freshCode(username))
    await page.getByRole('button', { name: /^(验证|Verify)$/ }).click()
    await page.locator('[data-testid=recovery-codes]').waitFor()
    await page.getByRole('button', { name: /我已保存|I have saved/ }).click()
  } else if (step === 'mfa') {
    if (!secrets.has(username)) throw new Error(`${username} has MFA but this process did not enrol it`)
    await page.locator('#mfa-code').fill(await freshCode(username))
    await page.getByRole('button', { name: /^(验证|Verify)$/ }).click()
  }
  await page.waitForURL((u) => !u.pathname.startsWith('/login'), { timeout: 30_000 })
}

/** The TOTP secret enrolled for an account by `signIn`, if any. */
export function secretOf(username) {
  return secrets.get(username)
}

/** JSON from the API with the page's session (cookies and CSRF), for setting up or checking data. */
export async function apiCall(page, method, path, body) {
  return page.evaluate(
    async ({ method, path, body }) => {
      const csrf = document.cookie.match(/(?:^|;\s*)bole_csrf=([^;]+)/)?.[1]
      const headers = { Accept: 'application/json' }
      if (body !== undefined) headers['Content-Type'] = 'application/json'
      if (csrf && method !== 'GET') headers['X-CSRF-Token'] = decodeURIComponent(csrf)
      const r = await fetch(`/api/v1${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) })
      const text = await r.text()
      return { status: r.status, body: text ? JSON.parse(text) : null }
    },
    { method, path, body },
  )
}

/** Saves a screenshot under docs/screenshots/ (only when BOLE_SCREENSHOTS=1). */
export async function screenshot(page, name) {
  if (process.env.BOLE_SCREENSHOTS !== '1') return
  const dir = join(ROOT, 'docs/screenshots')
  mkdirSync(dir, { recursive: true })
  await page.waitForLoadState('networkidle')
  await page.screenshot({ path: join(dir, `${name}.png`), fullPage: false })
}

/** Waits until no loading state is shown. */
export async function settled(page) {
  await page.waitForLoadState('networkidle')
  await page.locator('[data-state=loading]').first().waitFor({ state: 'detached', timeout: 30_000 }).catch(() => {})
}
