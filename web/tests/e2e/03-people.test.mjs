// People: HR onboards an employee through the dialog (a resident ID number with a correct
// GB 11643 check digit, checked live by the server), finds them in the directory by name,
// opens the profile, transfers them to another org unit through the transfer dialog and sees
// the transfer on the archive timeline and in the header. On a phone the directory is a card
// list without page-level horizontal overflow. The transfer is then corrected (cancelled with a
// reason) from the events list, masked personal data is revealed on request, and a profile
// outside the caller's scope shows a not-found state.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, newContext, newPage, signIn, cleanupProfiles, apiCall, DESKTOP, PHONE, screenshot, settled } from '../harness.mjs'

let server
let context

/** A resident ID number (GB 11643-1999) with its check digit computed. */
function residentId(region, birth, seq) {
  const body = `${region}${birth}${seq}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}
const rand = (lo, hi) => lo + Math.floor(Math.random() * (hi - lo + 1))
const pad = (n, w = 2) => String(n).padStart(w, '0')
// 南宁市青秀区, born in the 1990s, an odd sequence digit: a man.
const ID_NUMBER = residentId('450103', `199${rand(0, 9)}${pad(rand(1, 12))}${pad(rand(1, 28))}`, `${rand(10, 99)}${rand(0, 4) * 2 + 1}`)
const NAME = '欧阳启航'
const EMPLOYEE_NO = `T${Date.now().toString().slice(-7)}`
let employeeId = null

/**
 * Opens an Element Plus select (or tree select) by its input id, optionally types to filter,
 * and picks the option showing `text`; waits until the select shows it (single selects close).
 */
async function pick(page, inputId, text, { type = false, multiple = false } = {}) {
  const wrapper = page.locator(`.el-select__wrapper:has(#${inputId})`)
  await wrapper.click()
  if (type) await page.locator(`#${inputId}`).fill(text)
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await option.waitFor()
  await option.click()
  await wrapper.filter({ hasText: text }).waitFor()
  if (multiple) await page.keyboard.press('Escape')
  await page.locator('.el-select-dropdown__item:visible').first().waitFor({ state: 'hidden' })
}

async function noPageOverflow(page) {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1)
}

before(async () => {
  server = await startServer()
})
after(async () => {
  await context?.close()
  await server?.stop()
  cleanupProfiles()
})

test('HR onboards an employee, finds them, transfers them and sees it on the timeline', async () => {
  context = await newContext(DESKTOP)
  const page = await newPage(context)
  await signIn(page, server, 'hr')
  await page.goto(`${server.url}/hr/employees`)
  await settled(page)
  await page.getByTestId('employee-table').waitFor()
  assert.ok((await page.locator('.employee-table tbody tr').count()) > 0, 'the directory lists the demo staff')
  await screenshot(page, 'employees-desktop')

  // Onboarding dialog.
  await page.getByTestId('onboard-button').click()
  const dialog = page.locator('.el-dialog', { hasText: '办理入职' })
  await dialog.waitFor()
  await page.locator('#ob-name').fill(NAME)
  // A wrong check digit is refused as it is typed.
  const wrong = ID_NUMBER.slice(0, 17) + (ID_NUMBER[17] === '0' ? '1' : '0')
  await page.locator('#ob-idnumber').fill(wrong)
  await dialog.locator('.el-form-item__error', { hasText: '校验位' }).waitFor()
  await page.locator('#ob-idnumber').fill(ID_NUMBER)
  await page.getByTestId('id-check-ok').waitFor()
  assert.match(await page.getByTestId('id-check-ok').innerText(), /男/)
  await page.locator('#ob-phone').fill('13907710123')
  await page.locator('#ob-no').fill(EMPLOYEE_NO)
  await pick(page, 'ob-company', '广西伯乐科技集团有限公司')
  await pick(page, 'ob-unit', '会计核算组', { type: true })
  await pick(page, 'ob-position', '会计专员')
  await screenshot(page, 'onboard-dialog-desktop')
  await page.getByTestId('onboard-submit').click()
  await page.locator('.el-message--success', { hasText: NAME }).waitFor()
  await dialog.waitFor({ state: 'hidden' })

  // The directory's name search finds exactly the new person.
  await page.getByTestId('employee-search').fill(NAME)
  await page.waitForURL((u) => u.searchParams.get('q') === NAME)
  await settled(page)
  const rows = page.locator('.employee-table tbody tr')
  await rows.first().filter({ hasText: NAME }).waitFor()
  assert.equal(await rows.count(), 1)
  const row = await rows.first().innerText()
  assert.match(row, new RegExp(EMPLOYEE_NO))
  assert.match(row, /会计核算组/)
  assert.match(row, /试用期/)
  assert.match(row, /139\*+0123/, 'the phone is masked as the server returns it')

  // The status filter narrows: the new person is on probation, not regular.
  await pick(page, 'f-status', '正式', { multiple: true })
  await page.waitForURL((u) => u.searchParams.get('status') === 'regular')
  await settled(page)
  await page.locator('[data-state=empty]').waitFor()
  await page.getByRole('button', { name: '重置' }).click()
  await page.waitForURL((u) => !u.search)
  await page.getByTestId('employee-search').fill(EMPLOYEE_NO)
  await page.waitForURL((u) => u.searchParams.get('q') === EMPLOYEE_NO)
  await settled(page)
  await rows.first().filter({ hasText: NAME }).waitFor()

  // Open the profile.
  await page.locator('.employee-table .name-link', { hasText: NAME }).click()
  await page.waitForURL(/\/hr\/employees\/[0-9a-f-]{36}/)
  employeeId = new URL(page.url()).pathname.split('/').pop()
  await settled(page)
  assert.equal(await page.getByTestId('profile-name').innerText(), NAME)
  assert.match(await page.getByTestId('header-unit').innerText(), /会计核算组/)
  assert.match(await page.getByTestId('profile-status').innerText(), /试用期/)
  assert.match(await page.getByTestId('header-position').innerText(), /会计专员/)
  // Personal data is masked; the ID number shows its birth date and gender derived.
  const personal = page.getByTestId('personal-data')
  assert.match(await personal.locator('[data-field=id_number]').innerText(), /\*/)
  assert.match(await personal.locator('[data-field=gender]').innerText(), /男/)

  // Transfer to 税务组 through the dialog: the unit is required.
  await page.getByTestId('action-transfer').click()
  const ev = page.locator('.el-dialog', { hasText: '调入组织' })
  await ev.waitFor()
  await page.getByTestId('event-submit').click()
  await ev.locator('.el-form-item__error').first().waitFor()
  await pick(page, 'ev-unit', '税务组', { type: true })
  await pick(page, 'ev-position', '税务专员')
  await page.locator('#ev-reason').fill('财务部内部岗位调整')
  await page.getByTestId('event-submit').click()
  await page.locator('.el-message--success', { hasText: '调岗' }).waitFor()
  await ev.waitFor({ state: 'hidden' })
  await page.getByTestId('header-unit').filter({ hasText: '税务组' }).waitFor()
  assert.match(await page.getByTestId('header-position').innerText(), /税务专员/)

  // The archive timeline shows the transfer, newest first, above the onboarding.
  await page.getByRole('tab', { name: '档案时间线' }).click()
  const entries = page.getByTestId('timeline-entry')
  await entries.first().waitFor()
  const first = await entries.first().innerText()
  assert.match(first, /调岗/)
  assert.match(first, /税务组/)
  assert.match(first, /财务部内部岗位调整/)
  assert.match(await entries.last().innerText(), /入职/)

  // The assignment history (hired and transferred the same day: one segment) is in 税务组 now.
  await page.getByRole('tab', { name: '任职经历' }).click()
  await page.getByTestId('assignments-table').locator('tbody tr', { hasText: '税务组' }).waitFor()

  // The API agrees.
  const detail = await apiCall(page, 'GET', `/employees/${employeeId}`)
  assert.equal(detail.status, 200)
  assert.equal(detail.body.employee_no, EMPLOYEE_NO)
  assert.deepEqual(page.errors(), [])
  await context.close()
  context = null
})

test('on a phone the directory is a card list without horizontal overflow', async () => {
  context = await newContext(PHONE)
  const page = await newPage(context)
  await signIn(page, server, 'hr')
  await page.goto(`${server.url}/hr/employees`)
  await settled(page)
  await page.getByTestId('employee-cards').waitFor()
  assert.equal(await page.getByTestId('employee-table').count(), 0, 'no table on a phone')
  assert.ok((await page.getByTestId('employee-card').count()) > 0)
  assert.ok(await noPageOverflow(page), 'no page-level horizontal overflow')
  await screenshot(page, 'employees-phone')

  // Filters fold away behind a button; search still works.
  await page.getByTestId('employee-search').fill(NAME)
  await page.waitForURL((u) => u.searchParams.get('q') === NAME)
  await settled(page)
  await page.getByTestId('employee-card').filter({ hasText: NAME }).waitFor()
  await page.getByTestId('employee-card').filter({ hasText: NAME }).click()
  await page.waitForURL(/\/hr\/employees\/[0-9a-f-]{36}/)
  await settled(page)
  await page.getByTestId('profile-header').waitFor()
  assert.match(await page.getByTestId('header-unit').innerText(), /税务组/)
  assert.ok(await noPageOverflow(page), 'no page-level horizontal overflow on the profile')
  await screenshot(page, 'employee-profile-phone')
  assert.deepEqual(page.errors(), [])
})

test('HR corrects the transfer from the events list and reveals masked data of a demo employee', async () => {
  await context?.close()
  context = await newContext(DESKTOP)
  const page = await newPage(context)
  await signIn(page, server, 'hr')
  await page.goto(`${server.url}/hr/employees/${employeeId}`)
  await settled(page)
  await page.getByRole('tab', { name: '人事事件' }).click()
  const table = page.getByTestId('events-table')
  const transfer = table.locator('tbody tr', { hasText: '调岗' })
  await transfer.waitFor()
  await transfer.getByTestId('cancel-event').click()
  const dialog = page.locator('.el-dialog', { hasText: '更正（撤销）人事事件' })
  await dialog.waitFor()
  // A reason is required.
  await page.getByTestId('cancel-submit').click()
  await dialog.getByRole('alert').waitFor()
  await page.locator('#cancel-reason').fill('调岗录入有误，应为另一名员工')
  await page.getByTestId('cancel-submit').click()
  await page.locator('.el-message--success', { hasText: '已撤销' }).waitFor()
  await dialog.waitFor({ state: 'hidden' })
  // The header is back in 会计核算组; both records stay, the transfer marked cancelled.
  await page.getByTestId('header-unit').filter({ hasText: '会计核算组' }).waitFor()
  await table.locator('tbody tr', { hasText: '调岗' }).filter({ hasText: '已撤销' }).waitFor()
  await table.locator('tbody tr', { hasText: '调岗录入有误' }).waitFor()
  await page.getByRole('tab', { name: '档案时间线' }).click()
  await page.getByTestId('timeline-entry').filter({ hasText: '调岗' }).filter({ hasText: '已撤销' }).waitFor()

  // Separation (离职): a coded reason beside the free-text note; the events list names both.
  const d = new Date()
  const lastDay = `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
  await page.getByTestId('action-more').click()
  await page.getByTestId('action-separate').click()
  await page.locator('#ev-lastday').waitFor()
  await page.locator('#ev-lastday').fill(lastDay)
  await page.keyboard.press('Enter')
  await pick(page, 'ev-sepreason', '主动辞职')
  await page.locator('#ev-reason').fill('个人原因，回老家发展')
  await page.getByTestId('event-submit').click()
  await page.locator('.el-message--success', { hasText: '离职' }).waitFor()
  await page.getByRole('tab', { name: '人事事件' }).click()
  const separation = table.locator('tbody tr', { hasText: '离职' })
  await separation.filter({ hasText: '主动辞职' }).waitFor()
  await separation.filter({ hasText: '个人原因，回老家发展' }).waitFor()
  const events = await apiCall(page, 'GET', `/employees/${employeeId}/events`)
  const sep = events.body.find((e) => e.type === 'separate')
  assert.equal(sep.separation_reason, 'resignation')
  assert.equal(sep.last_day, lastDay)

  // A demo employee's profile: sensitive fields masked, shown in clear on request for a minute.
  const found = await apiCall(page, 'GET', '/employees?q=BL000001')
  assert.equal(found.status, 200)
  await page.goto(`${server.url}/hr/employees/${found.body.items[0].id}`)
  await settled(page)
  const personal = page.getByTestId('personal-data')
  await personal.waitFor()
  assert.match(await personal.locator('[data-field=id_number]').innerText(), /\*/)
  await screenshot(page, 'employee-profile-desktop')
  await page.getByTestId('reveal-button').click()
  await page.locator('.el-message-box').getByRole('button', { name: '查看明文' }).click()
  await page.getByTestId('reveal-countdown').waitFor()
  assert.match(await personal.locator('[data-field=id_number]').innerText(), /^\d{17}[\dX]$/)
  await page.getByRole('button', { name: '立即隐藏' }).click()
  assert.match(await personal.locator('[data-field=id_number]').innerText(), /\*/)
  assert.deepEqual(page.errors(), [])
})

test('an employee opening someone else’s profile sees a not-found state', async () => {
  await context?.close()
  context = await newContext(PHONE)
  const page = await newPage(context, { allowed: [/status of 404/] })
  await signIn(page, server, 'employee')
  await page.goto(`${server.url}/hr/employees/${employeeId}`)
  await settled(page)
  const refused = page.getByTestId('profile-refused')
  await refused.waitFor()
  assert.match(await refused.innerText(), /找不到该员工/)
  assert.deepEqual(page.errors(), [])
})
