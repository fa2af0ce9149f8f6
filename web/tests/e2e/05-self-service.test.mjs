// Employee self-service on a phone: the `employee` account (no MFA) sees its home page, its
// own record with the ID number masked, the archive timeline, its contracts and the privacy
// centre (acknowledges the notice, gives a consent, submits a correction request and sees it
// listed); it is refused another employee's record in the app and by the API (404 outside the
// caller's scope, so ids cannot be probed) without any of that person's data appearing; it
// manages its sessions and changes its password. HR prepares real data first: a published
// privacy notice version and reads the labour contracts the demo recorded. Screenshots of the main pages at phone and desktop.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer, newContext, newPage, signIn, apiCall, cleanupProfiles, screenshot, settled, DESKTOP, PHONE, PASSWORD,
} from '../harness.mjs'

let server
const contexts = []
/** The employee account's own employee id, and another employee (its line manager) HR read. */
let myId
let other
let contractCount = 0

const NOTICE = {
  title: '广西伯乐科技集团员工个人信息处理告知书',
  body:
    '为依法订立、履行劳动合同和实施人力资源管理，广西伯乐科技集团有限公司（以下简称“本公司”）将按本告知书处理您的个人信息。\n\n' +
    '一、处理目的、方式和信息类别：见下列各项处理目的。\n' +
    '二、保存期限：劳动关系存续期间，以及离职后法律、行政法规规定的期限。\n' +
    '三、您的权利：您可以查阅、复制、更正、删除您的个人信息，或撤回同意，请在“隐私中心”提交请求，本公司将在 15 日内答复。\n' +
    '四、联系方式：个人信息保护负责人，电话 0771-5551234。',
  changes: null,
  purposes: [
    { code: 'hr_management', name_zh: '人事管理', name_en: 'HR management', kind: 'internal', legal_basis: 'hr_management',
      data_categories: ['identity', 'contact', 'education', 'employment'], description: '建立员工档案，办理入职、转正、调岗、离职等人事手续', retention: '离职后二年' },
    { code: 'health_check', name_zh: '年度体检', name_en: 'Annual health check', kind: 'third_party_provision', legal_basis: 'consent',
      data_categories: ['identity', 'health'], description: '安排员工年度健康体检并接收体检报告', recipient: '南宁市爱康健康体检中心', retention: '体检结束后一年' },
    { code: 'staff_photo', name_zh: '企业宣传使用照片', name_en: 'Photos in company publicity', kind: 'internal', legal_basis: 'consent',
      data_categories: ['photo'], description: '在内部刊物和公司官网使用员工工作照', retention: '撤回同意前' },
  ],
}

async function context(viewport) {
  const c = await newContext(viewport)
  contexts.push(c)
  return c
}

before(async () => {
  server = await startServer()
  // The employee's own id (the account carries it).
  const ec = await context(PHONE)
  const ep = await newPage(ec)
  await signIn(ep, server, 'employee')
  const me = await apiCall(ep, 'GET', '/auth/me')
  assert.equal(me.status, 200)
  myId = me.body.employee_id
  assert.ok(myId, 'the employee account has an employee record')
  const mine = await apiCall(ep, 'GET', `/employees/${myId}`)
  const managerId = mine.body.assignment?.manager_id
  assert.ok(managerId, 'the demo employee has a line manager')
  await ec.close()

  // HR: publish a new privacy notice version, read the demo's contracts and another employee.
  const hc = await context(DESKTOP)
  const hp = await newPage(hc)
  await signIn(hp, server, 'hr')
  const n = await apiCall(hp, 'POST', '/privacy/notices', NOTICE)
  assert.equal(n.status, 201, JSON.stringify(n.body))
  // The demo gives everyone a three-year first contract from the hire date, renewed (续签)
  // until the one in force today.
  const cs = await apiCall(hp, 'GET', `/employees/${myId}/contracts`)
  assert.equal(cs.status, 200, JSON.stringify(cs.body))
  contractCount = cs.body.length
  assert.ok(contractCount >= 1, 'the demo employee has a labour contract')
  const o = await apiCall(hp, 'GET', `/employees/${managerId}`)
  assert.equal(o.status, 200)
  other = { id: managerId, name: o.body.name, employeeNo: o.body.employee_no }
  await hc.close()
})

after(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await server?.stop()
  cleanupProfiles()
})

test('an employee sees home, a masked profile, the timeline and contracts on a phone', async () => {
  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'employee')
  // An employee lands on self-service.
  await page.waitForURL(/\/me/)
  await page.getByTestId('me-home').waitFor()
  await settled(page)
  const greeting = await page.getByTestId('me-greeting').innerText()
  const me = (await apiCall(page, 'GET', `/employees/${myId}`)).body
  assert.ok(greeting.includes(me.name), `greeting names the employee: ${greeting}`)
  assert.match(await page.getByTestId('me-placement').innerText(), /\S/)
  assert.equal(await page.getByTestId('shortcut-console').count(), 0, 'no console link for an employee')
  await screenshot(page, 'me-home-phone')

  // My profile: the ID number is shown masked, tagged, never a full valid 18-digit number.
  await page.getByTestId('shortcut-profile').click()
  await page.waitForURL(/\/me\/profile/)
  await page.getByTestId('profile-personal').waitFor()
  await settled(page)
  const idRow = page.getByTestId('field-id_number')
  const idValue = (await idRow.getByTestId('value').innerText()).trim()
  assert.ok(idValue.includes('*'), `ID number masked: ${idValue}`)
  assert.doesNotMatch(idValue, /^\d{17}[\dXx]$/)
  assert.match(await idRow.innerText(), /已脱敏/)
  const phone = (await page.getByTestId('field-phone').getByTestId('value').innerText()).trim()
  assert.ok(phone.includes('*'), `phone masked: ${phone}`)
  assert.equal(await page.getByTestId('profile-name').innerText(), me.name)
  // Dictionary codes read as labels.
  assert.match(await page.getByTestId('field-gender').innerText(), /[男女]/)
  await screenshot(page, 'me-profile-phone')

  // The timeline: at least the 入职 entry, and the contracts HR recorded.
  await page.goto(`${server.url}/me/timeline`)
  await page.getByTestId('timeline').waitFor()
  await settled(page)
  const titles = await page.getByTestId('timeline-title').allInnerTexts()
  assert.ok(titles.includes('入职'), `timeline has 入职: ${titles.join(', ')}`)
  assert.ok(titles.includes('签订劳动合同'), titles.join(', '))
  if (contractCount > 1) assert.ok(titles.includes('续签劳动合同'), titles.join(', '))
  assert.match(await page.getByTestId('timeline').innerText(), /所属组织/)
  await screenshot(page, 'me-timeline-phone')

  // Contracts: the renewal is in force with days to expiry; the first one was renewed.
  await page.goto(`${server.url}/me/contracts`)
  await page.getByTestId('contracts').waitFor()
  const cards = page.getByTestId('contract-card')
  assert.equal(await cards.count(), contractCount)
  assert.equal(await cards.nth(0).getByTestId('contract-status').innerText(), '履行中')
  assert.match(await cards.nth(0).getByTestId('contract-expiry').innerText(), /距到期还有 \d+ 天/)
  if (contractCount > 1) assert.equal(await cards.nth(1).getByTestId('contract-status').innerText(), '已续签')
  await screenshot(page, 'me-contracts-phone')

  // Signing out from the self-service home.
  await page.goto(`${server.url}/me`)
  await page.getByTestId('me-logout').click()
  await page.waitForURL(/\/login/)
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('the privacy centre: acknowledge the notice, consent, ask for a correction and see it listed', async () => {
  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'employee')
  await page.goto(`${server.url}/me/privacy`)
  await page.getByTestId('privacy-notice').waitFor()
  await settled(page)

  // Consent needs the notice acknowledged first.
  const photo = page.getByTestId('purpose-staff_photo')
  if (await page.getByTestId('notice-pending').count()) {
    assert.ok(await photo.getByTestId('consent-give').isDisabled())
    await page.getByTestId('read-notice').click()
    await page.getByTestId('notice-body').waitFor()
    assert.match(await page.getByTestId('notice-body').innerText(), /个人信息保护负责人/)
    await page.getByTestId('ack-notice').click()
  }
  await page.getByTestId('notice-acknowledged').waitFor()
  await settled(page)

  // Give a consent (a confirmation dialog first), then it reads 已同意.
  await photo.getByTestId('consent-give').click()
  await page.locator('.van-dialog__confirm').click()
  await photo.getByTestId('consent-withdraw').waitFor()
  assert.equal(await photo.getByTestId('consent-status').innerText(), '已同意')
  // The health check purpose needs a separate consent (sensitive data, provided to a third party).
  assert.match(await page.getByTestId('purpose-health_check').innerText(), /需单独同意/)
  // Not required for HR management (another legal basis).
  assert.equal(await page.getByTestId('purpose-hr_management').getByTestId('consent-status').innerText(), '无需同意')

  // A correction request from the profile page's "申请更正": the form opens with correction chosen.
  await page.goto(`${server.url}/me/profile`)
  await page.getByTestId('request-correction').click()
  await page.waitForURL(/\/me\/privacy/)
  const form = page.getByTestId('request-form')
  await form.getByTestId('correction-row').waitFor()
  // The reason is required: submitting without it shows the message by the field.
  await form.getByTestId('correction-field').selectOption('phone')
  await form.getByTestId('correction-value').locator('input').fill('13907715678')
  await form.getByTestId('request-submit').click()
  await form.getByText('请填写更正理由').waitFor()
  await form.getByTestId('request-details').locator('textarea').fill('手机号已更换，原号码已停用')
  await form.getByTestId('request-submit').click()
  await form.waitFor({ state: 'hidden' })
  const item = page.getByTestId('request-item').first()
  await item.waitFor()
  assert.equal(await item.getByTestId('request-kind').innerText(), '更正')
  assert.equal(await item.getByTestId('request-status').innerText(), '已提交')
  assert.match(await item.innerText(), /手机号码/)
  // Its detail shows the proposed value and the status history.
  await item.click()
  const detail = page.getByTestId('request-detail')
  await detail.getByTestId('request-detail-status').waitFor()
  assert.match(await detail.innerText(), /13907715678/)
  assert.match(await detail.innerText(), /办理记录/)
  await detail.getByRole('button', { name: '关闭' }).click()
  await detail.waitFor({ state: 'hidden' })

  // The server has it too.
  const mine = await apiCall(page, 'GET', '/me/privacy/requests')
  assert.ok(mine.body.some((r) => r.kind === 'correction' && r.corrections.some((x) => x.field === 'phone')))

  // A deletion request is checked against legal retention at once and shows what is kept.
  await page.getByTestId('new-request').click()
  await form.getByTestId('kind-deletion').click()
  await form.getByText('照片', { exact: true }).click()
  await form.getByTestId('request-submit').click()
  await detail.getByTestId('request-retention').waitFor()
  await detail.getByRole('button', { name: '关闭' }).click()
  await detail.waitFor({ state: 'hidden' })
  await page.evaluate(() => window.scrollTo(0, 0))
  await settled(page)
  await page.locator('.van-toast').first().waitFor({ state: 'hidden' }).catch(() => {})
  await screenshot(page, 'me-privacy-phone')
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test("another employee's record is refused, in the app and by the API, without leaking it", async () => {
  const c = await context(PHONE)
  const page = await newPage(c, { allowed: [/status of 40[34]/] })
  await signIn(page, server, 'employee')
  const r = await apiCall(page, 'GET', `/employees/${other.id}`)
  assert.notEqual(r.status, 200)
  assert.ok([403, 404].includes(r.status), `refused with 403 or 404, got ${r.status}`)
  const text = JSON.stringify(r.body)
  assert.ok(!text.includes(other.name) && !text.includes(other.employeeNo), 'no personal data of the other person in the answer')
  for (const sub of ['timeline', 'contracts']) {
    const x = await apiCall(page, 'GET', `/employees/${other.id}/${sub}`)
    assert.ok([403, 404].includes(x.status), `${sub}: ${x.status}`)
  }

  await page.goto(`${server.url}/hr/employees/${other.id}`)
  await page.locator('[data-testid=profile-refused], [data-state=error], [data-state=forbidden]').first().waitFor()
  await settled(page)
  const body = await page.locator('body').innerText()
  assert.ok(!body.includes(other.name), 'the other person\'s name is not shown')
  assert.ok(!body.includes(other.employeeNo), 'the other person\'s employee number is not shown')
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('sessions: the current one is flagged, another is ended, the password is changed, then sign out everywhere', async () => {
  // A second session to end from the first.
  const other = await context(DESKTOP)
  const op = await newPage(other)
  await signIn(op, server, 'employee')

  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'employee')
  await page.goto(`${server.url}/me/sessions`)
  await page.getByTestId('sessions').waitFor()
  await settled(page)
  const sessions = page.getByTestId('session')
  assert.ok((await sessions.count()) >= 2)
  assert.equal(await page.getByTestId('session-current').count(), 1)
  assert.match(await sessions.first().innerText(), /当前设备/)
  const before = await sessions.count()
  await page.getByTestId('session-revoke').first().click()
  await page.locator('.van-dialog__confirm').click()
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=session]').length === n - 1, before)

  // Password: a mismatch is caught here; a wrong current password is the server's message.
  await page.getByTestId('pw-old').locator('input').fill(PASSWORD)
  await page.getByTestId('pw-new').locator('input').fill('Xinmima-2026!')
  await page.getByTestId('pw-confirm').locator('input').fill('Xinmima-2026?')
  await page.getByTestId('pw-submit').click()
  await page.getByText('两次输入的新密码不一致').waitFor()
  await page.getByTestId('pw-new').locator('input').fill('short')
  await page.getByTestId('pw-confirm').locator('input').fill('short')
  page.allowErrors(/status of 422/)
  await page.getByTestId('pw-submit').click()
  await page.getByText(/密码至少\d+位/).waitFor()
  await page.getByTestId('pw-new').locator('input').fill('Xinmima-2026!')
  await page.getByTestId('pw-confirm').locator('input').fill('Xinmima-2026!')
  await page.getByTestId('pw-submit').click()
  await page.getByText('密码已修改，其他设备已退出登录').waitFor()
  await settled(page)
  assert.equal(await page.getByTestId('session').count(), 1)

  // Sign out everywhere: back to the sign-in page, and the session is gone.
  page.allowErrors(/status of 401/)
  await page.getByTestId('sessions-revoke-all').click()
  await page.locator('.van-dialog__confirm').click()
  await page.waitForURL(/\/login/)
  const gone = await apiCall(page, 'GET', '/auth/me')
  assert.equal(gone.status, 401)
  // The new password works.
  await signIn(page, server, 'employee', 'Xinmima-2026!')
  assert.deepEqual(page.errors(), [])
  await c.close()
  await other.close()
})

test('desktop: the same pages in a centred column; an administrator gets a friendly empty state', async () => {
  const c = await context(DESKTOP)
  const page = await newPage(c)
  await signIn(page, server, 'employee', 'Xinmima-2026!')
  for (const [path, testid, name] of [
    ['/me', 'me-home', 'me-home-desktop'],
    ['/me/profile', 'profile-personal', 'me-profile-desktop'],
    ['/me/timeline', 'timeline', 'me-timeline-desktop'],
    ['/me/privacy', 'privacy-requests', 'me-privacy-desktop'],
    ['/me/sessions', 'sessions', 'me-sessions-desktop'],
  ]) {
    await page.goto(`${server.url}${path}`)
    await page.getByTestId(testid).waitFor()
    await settled(page)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `${path}: no horizontal overflow (${overflow}px)`)
    await screenshot(page, name)
  }
  assert.deepEqual(page.errors(), [])
  await c.close()

  // The system administrator has no employee record: home says so and offers the console.
  const ac = await context(DESKTOP)
  const ap = await newPage(ac)
  await signIn(ap, server, 'admin')
  await ap.goto(`${server.url}/me`)
  await ap.getByTestId('no-employee').waitFor()
  assert.match(await ap.getByTestId('no-employee').innerText(), /未关联员工档案/)
  await ap.goto(`${server.url}/me/sessions`)
  await ap.getByTestId('session-current').waitFor()
  assert.deepEqual(ap.errors(), [])
  await ac.close()
})

test('phone pages have no horizontal overflow', async () => {
  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'employee', 'Xinmima-2026!')
  for (const [path, testid] of [
    ['/me', 'me-home'],
    ['/me/profile', 'profile-personal'],
    ['/me/timeline', 'timeline'],
    ['/me/contracts', 'contracts'],
    ['/me/privacy', 'privacy-requests'],
    ['/me/sessions', 'sessions'],
  ]) {
    await page.goto(`${server.url}${path}`)
    await page.getByTestId(testid).waitFor()
    await settled(page)
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
    assert.ok(overflow <= 0, `${path}: no horizontal overflow (${overflow}px)`)
  }
  await screenshot(page, 'me-sessions-phone')
  assert.deepEqual(page.errors(), [])
  await c.close()
})
