// Sign-in: a privileged account enrols TOTP at its first sign-in (QR code, confirm with a
// code, recovery codes), signs out, and signs in again with a code; a wrong password is
// refused with a message on the page; the language can be switched to English.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, newContext, newPage, signIn, cleanupProfiles, DESKTOP, PHONE, PASSWORD, screenshot, settled } from '../harness.mjs'

let server
let context
before(async () => {
  server = await startServer()
})
after(async () => {
  await context?.close()
  await server?.stop()
  cleanupProfiles()
})

test('a wrong password is refused on the page, without saying whether the user exists', async () => {
  context = await newContext(PHONE)
  const page = await newPage(context, { allowed: [/status of 401/] })
  await page.goto(`${server.url}/login`)
  await screenshot(page, 'login-phone')
  await page.locator('#username').fill('hr')
  await page.locator('#password').fill('not-the-password')
  await page.getByRole('button', { name: '登录' }).click()
  const err = page.locator('[data-testid=login-error]')
  await err.waitFor()
  assert.match(await err.innerText(), /用户名或密码/)
  assert.deepEqual(page.errors(), [])
  await context.close()
  context = null
})

test('HR enrols an authenticator at first sign-in, then signs in with a code', async () => {
  context = await newContext(DESKTOP)
  const page = await newPage(context)
  await page.goto(`${server.url}/login`)
  await page.locator('#username').fill('hr')
  await page.locator('#password').fill(PASSWORD)
  await page.getByRole('button', { name: '登录' }).click()
  // Enrolment: the QR code is an image, the secret is shown for manual entry.
  await page.locator('[data-testid=totp-qr]').waitFor()
  await screenshot(page, 'mfa-enrol-desktop')
  await context.close()

  // signIn does the same enrolment and keeps the secret; then a second sign-in needs a code.
  context = await newContext(DESKTOP)
  const p2 = await newPage(context)
  await signIn(p2, server, 'hr')
  await settled(p2)
  assert.ok(!new URL(p2.url()).pathname.startsWith('/login'))
  await p2.getByTestId('account-menu').click()
  await p2.getByText('退出登录').click()
  await p2.waitForURL(/\/login/)
  await signIn(p2, server, 'hr')
  assert.ok(!new URL(p2.url()).pathname.startsWith('/login'))
  assert.deepEqual(p2.errors(), [])
})

test('a deep link while signed out goes through sign-in and back; English is one click away', async () => {
  await context?.close()
  context = await newContext(PHONE)
  const page = await newPage(context, { allowed: [/status of 401/] })
  await page.goto(`${server.url}/me/contracts`)
  await page.waitForURL(/\/login\?redirect=/)
  // Switch the UI to English: the page and the server's messages follow.
  await page.getByRole('button', { name: 'English' }).click()
  await page.getByRole('button', { name: 'Sign in' }).waitFor()
  await page.locator('#username').fill('employee')
  await page.locator('#password').fill('wrong-password-1')
  await page.getByRole('button', { name: 'Sign in' }).click()
  const err = page.locator('[data-testid=login-error]')
  await err.waitFor()
  assert.match(await err.innerText(), /username or password/i)
  await page.locator('#password').fill(PASSWORD)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await page.waitForURL((u) => u.pathname === '/me/contracts')
  assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US')
  assert.deepEqual(page.errors(), [])
})
