// Administration and audit, one administrator each (三员分立): the system administrator lists
// the accounts, opens a new one with no employee record — so with no role, shown as 待授权 —
// disables and re-enables it and resets its password; the security administrator reads the
// built-in roles, picks the new account from the account list, is refused a grant that breaks
// separation of duties (with the server's words), then gives it an HRBP grant over a
// department and sees it on the account after a reload; the auditor finds the account's
// creation in the audit trail and verifies the chain and signs a checkpoint.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer, newContext, newPage, signIn, cleanupProfiles, apiCall, screenshot, settled, DESKTOP, PHONE,
} from '../harness.mjs'

let server
let context
const NEW_USER = 'li.xiaoyun'
const shared = { accountId: null, unitName: null }

before(async () => {
  server = await startServer()
})
after(async () => {
  await context?.close()
  await server?.stop()
  cleanupProfiles()
})

/** A fresh browser context; one a failed test left open is closed first (it would keep the run alive). */
async function freshContext(viewport) {
  await context?.close().catch(() => {})
  context = await newContext(viewport)
  return context
}

/** Clicks the confirm button of the open ElMessageBox. */
async function confirmBox(page) {
  const box = page.locator('.el-message-box:visible')
  await box.waitFor()
  await box.getByRole('button', { name: /^(确定|OK)$/ }).click()
  await box.waitFor({ state: 'hidden' })
}

/** Waits until no dialog, message box or toast covers the page (before a screenshot). */
async function quiet(page) {
  await page.locator('.el-overlay:visible').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {})
  await page.locator('.el-message').first().waitFor({ state: 'detached', timeout: 10_000 }).catch(() => {})
}

/** Picks an option (by visible text) in the open Element Plus select dropdown. */
async function pickOption(page, text) {
  const option = page.locator('.el-select-dropdown__item:visible', { hasText: text }).first()
  await option.waitFor()
  await option.click()
  await option.waitFor({ state: 'hidden' })
}

/** Chooses an account in the grant editor's account picker (searched by username). */
async function pickAccount(page, username) {
  await page.getByTestId('grant-account').click()
  await page.keyboard.type(username)
  const option = page.locator('.grant-account-popper .el-select-dropdown__item:visible').filter({ hasText: username }).first()
  await option.waitFor()
  const text = await option.innerText()
  await option.click()
  await option.waitFor({ state: 'hidden' })
  await page.getByTestId('grant-account-card').filter({ hasText: username }).waitFor()
  return text
}

test('the system administrator manages accounts', async () => {
  await freshContext(DESKTOP)
  const page = await newPage(context)
  await signIn(page, server, 'admin')

  await page.goto(`${server.url}/admin/accounts`)
  await settled(page)
  const table = page.getByTestId('accounts-table')
  await table.waitFor()
  for (const name of ['admin', 'security', 'auditor', 'hr', 'hrbp', 'manager', 'employee']) {
    await page.getByTestId(`account-${name}`).first().waitFor()
  }
  assert.match(await table.innerText(), /安全保密管理员 · 全部/)
  assert.match(await table.innerText(), /HR管理员 · 全部/)

  // A new account: username, a generated password, no employee record (an outside consultant).
  await page.getByTestId('account-create').click()
  const dialog = page.getByTestId('account-create-dialog')
  await dialog.locator('#new-username').fill(NEW_USER)
  await dialog.getByTestId('generate-password').click()
  // A linked employee would bring self-service; a wrong id is caught before the server is asked.
  await dialog.locator('#new-employee').fill('not-an-id')
  assert.match(await dialog.getByTestId('new-initial-role').innerText(), /员工 · 本人/)
  await dialog.getByTestId('create-submit').click()
  await dialog.getByText('请填写有效的员工ID').waitFor()
  // Left empty: no role until the security administrator grants one.
  await dialog.locator('#new-employee').fill('')
  await dialog.getByTestId('new-initial-role').getByTestId('grants-pending').waitFor()
  assert.match(await dialog.getByTestId('new-initial-role').innerText(), /须由安全保密管理员/)
  await dialog.getByTestId('create-submit').click()
  const secret = page.getByTestId('secret-dialog')
  await secret.getByTestId('secret-account-id').waitFor()
  shared.accountId = (await secret.getByTestId('secret-account-id').innerText()).trim()
  assert.match(shared.accountId, /^[0-9a-f-]{36}$/)
  assert.ok((await secret.getByTestId('secret-password').innerText()).trim().length >= 16)
  assert.match(await secret.innerText(), /尚未授予任何角色，须由安全保密管理员/)
  await secret.getByTestId('secret-close').click()
  const created = await apiCall(page, 'GET', '/accounts')
  const account = created.body.find((a) => a.id === shared.accountId)
  assert.deepEqual([account.username, account.employee_id ?? null, account.grants], [NEW_USER, null, []])

  const row = page.locator('.el-table__row', { hasText: NEW_USER })
  await row.waitFor()
  assert.equal((await row.getByTestId('grants-pending').innerText()).trim(), '待授权')
  assert.equal((await row.getByTestId('account-status').innerText()).trim(), '正常')

  // Disable it (confirmed), see the status change; then enable it again.
  await row.getByTestId('account-toggle').click()
  await confirmBox(page)
  await page.getByText('账号已停用').waitFor()
  await row.getByTestId('account-status').filter({ hasText: '已停用' }).waitFor()
  await row.getByTestId('account-toggle').filter({ hasText: '启用' }).click()
  await confirmBox(page)
  await row.getByTestId('account-status').filter({ hasText: '正常' }).waitFor()

  // Reset its password: the temporary one is shown once.
  await row.getByTestId('account-more').click()
  await page.locator('.el-dropdown-menu__item:visible', { hasText: '重置密码' }).click()
  await confirmBox(page)
  const temp = secret.getByTestId('temp-password')
  await temp.waitFor()
  assert.ok((await temp.innerText()).trim().length >= 16)
  await secret.getByTestId('secret-close').click()
  await row.filter({ hasText: '下次登录须修改' }).waitFor()

  // The administrator's own account cannot be disabled from here.
  const own = page.locator('.el-table__row', { hasText: '当前账号' })
  assert.ok(await own.getByTestId('account-toggle').isDisabled())

  await quiet(page)
  await screenshot(page, 'accounts-desktop')
  await page.setViewportSize(PHONE)
  await page.getByTestId('accounts-cards').waitFor()
  await page.getByTestId(`account-${NEW_USER}`).waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `no horizontal overflow on a phone (${overflow}px)`)
  await quiet(page)
  await screenshot(page, 'accounts-phone')
  assert.deepEqual(page.errors(), [])
  await context.close()
  context = null
})

test('the security administrator reads roles and grants a role with a scope', async () => {
  assert.ok(shared.accountId, 'the account from the first test')
  await freshContext(DESKTOP)
  // The refused grant below answers 422, which the browser logs.
  const page = await newPage(context, { allowed: [/status of 422/] })
  await signIn(page, server, 'security')
  await page.goto(`${server.url}/admin/roles`)
  await settled(page)
  const table = page.getByTestId('roles-table')
  await table.waitFor()
  const text = await table.innerText()
  for (const name of ['员工', '经理', 'HRBP', 'HR管理员', '薪酬专员', '系统管理员', '安全保密管理员', '安全审计员']) {
    assert.ok(text.includes(name), `role ${name}`)
  }
  assert.match(text, /查看员工档案 · 授权范围/)
  assert.match(text, /查阅审计日志 · 全部/)

  // A custom role.
  await page.getByTestId('role-create').click()
  const dialog = page.getByTestId('role-dialog')
  await dialog.locator('#role-code').fill('attendance_clerk')
  await dialog.locator('#role-name').fill('考勤专员')
  await dialog.getByText('查看员工档案', { exact: true }).click()
  await dialog.getByText('查看劳动合同', { exact: true }).click()
  await dialog.getByTestId('role-submit').click()
  await page.getByText('自定义角色「考勤专员」已创建').waitFor()
  await page.getByTestId('role-attendance_clerk').waitFor()
  await quiet(page)
  await screenshot(page, 'roles-desktop')

  // Grants for the new account, picked from the account list: it waits for its first grant.
  await page.getByRole('tab', { name: '账号授权' }).click()
  await page.getByTestId('grant-account').waitFor()
  assert.match(await pickAccount(page, NEW_USER), /待授权/)
  const card = page.getByTestId('grant-account-card')
  await card.getByTestId('grants-pending').waitFor()
  assert.match(await card.innerText(), /未关联员工档案/)
  assert.equal(await page.getByTestId('grant-row-0').count(), 0)
  assert.ok(await page.getByTestId('grant-save').isDisabled(), 'nothing to save yet')
  await page.waitForURL(new RegExp(`account=${shared.accountId}`))

  // First a grant that breaks 三员分立: the server refuses in its own words.
  await page.getByTestId('grant-add').click()
  await page.getByTestId('grant-row-0').getByTestId('grant-role').click()
  // Without an employee record the self-service and manager roles are not offered.
  await page.locator('.el-select-dropdown__item.is-disabled:visible', { hasText: '须关联员工档案' }).first().waitFor()
  assert.equal(await page.locator('.el-select-dropdown__item.is-disabled:visible', { hasText: '须关联员工档案' }).count(), 2)
  await pickOption(page, '系统管理员')
  await page.getByTestId('grant-add').click()
  await page.getByTestId('grant-row-1').getByTestId('grant-role').click()
  await pickOption(page, 'HRBP')
  assert.equal((await page.getByTestId('grant-row-1').getByTestId('grant-scope').innerText()).trim(), '指定组织及下级')
  await page.getByTestId('grant-row-1').getByTestId('grant-units').click()
  // A department rather than a company's root unit.
  const unitOption = page.locator('.el-select-dropdown__item:visible').nth(3)
  shared.unitName = (await unitOption.locator('.option-name').innerText()).trim()
  await unitOption.click()
  await page.keyboard.press('Escape')
  await page.getByTestId('grant-save').click()
  await confirmBox(page)
  const refusal = page.getByTestId('grant-error')
  await refusal.waitFor()
  assert.match(await refusal.innerText(), /三员账号不能同时持有业务角色/)

  // Then a valid set: HRBP over the chosen department alone.
  await page.getByTestId('grant-row-0').getByRole('button', { name: '移除此授权' }).click()
  assert.equal((await page.getByTestId('grant-row-0').getByTestId('grant-role').innerText()).trim(), 'HRBP')
  assert.equal(await page.getByTestId('grant-row-1').count(), 0)
  await page.getByTestId('grant-save').click()
  await confirmBox(page)
  await page.getByText('授权已保存').waitFor()
  const current = card.getByTestId('grant-current')
  await current.filter({ hasText: `HRBP · ${shared.unitName}` }).waitFor()
  assert.equal(await refusal.count(), 0)
  assert.ok(await page.getByTestId('grant-save').isDisabled(), 'saved: nothing left to save')

  // Another account opens with its current grants to edit: the manager's two.
  await pickAccount(page, 'manager')
  assert.equal((await page.getByTestId('grant-row-0').getByTestId('grant-role').innerText()).trim(), '员工')
  assert.equal((await page.getByTestId('grant-row-0').getByTestId('grant-scope').innerText()).trim(), '本人')
  assert.equal((await page.getByTestId('grant-row-1').getByTestId('grant-role').innerText()).trim(), '经理')
  assert.equal(await page.getByTestId('grant-row-2').count(), 0)
  // An edit can be discarded.
  await page.getByTestId('grant-add').click()
  await page.getByTestId('grant-revert').click()
  assert.equal(await page.getByTestId('grant-row-2').count(), 0)

  // After a reload the account list carries the new grant.
  await pickAccount(page, NEW_USER)
  await page.reload()
  await settled(page)
  await card.filter({ hasText: NEW_USER }).waitFor()
  await card.getByTestId('grant-current').filter({ hasText: `HRBP · ${shared.unitName}` }).waitFor()
  assert.equal((await page.getByTestId('grant-row-0').getByTestId('grant-role').innerText()).trim(), 'HRBP')
  await page.getByTestId('grant-account').click()
  const option = page.locator('.grant-account-popper .el-select-dropdown__item:visible').filter({ hasText: NEW_USER })
  assert.match(await option.innerText(), /HRBP/)
  assert.doesNotMatch(await option.innerText(), /待授权/)
  await page.keyboard.press('Escape')
  const listed = await apiCall(page, 'GET', '/accounts')
  const account = listed.body.find((a) => a.id === shared.accountId)
  assert.equal(account.grants.length, 1)
  assert.equal(account.grants[0].role, 'hrbp')
  assert.equal(account.grants[0].scope.kind, 'subtrees')
  await quiet(page)
  await screenshot(page, 'roles-grants-desktop')

  await page.setViewportSize(PHONE)
  await card.waitFor()
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'no horizontal overflow')
  await screenshot(page, 'roles-grants-phone')
  await page.setViewportSize(PHONE)
  await page.getByRole('tab', { name: '角色' }).click()
  await page.getByTestId('roles-cards').waitFor()
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'no horizontal overflow')
  await screenshot(page, 'roles-phone')
  assert.deepEqual(page.errors(), [])
  await context.close()
  context = null
})

test('the auditor finds the account creation and verifies the chain', async () => {
  assert.ok(shared.accountId, 'the account from the first test')
  await freshContext(DESKTOP)
  const page = await newPage(context)
  await signIn(page, server, 'auditor')
  await page.goto(`${server.url}/audit/records`)
  await settled(page)
  const table = page.getByTestId('audit-table')
  await table.waitFor()
  assert.match(await page.getByTestId('audit-total').innerText(), /共 \d+ 条记录/)
  await screenshot(page, 'audit-records-desktop')

  // Filter by action: the account creation by admin, naming the new account.
  await page.getByTestId('filter-action').click()
  await page.keyboard.type('新建账号')
  await pickOption(page, '新建账号')
  await page.getByTestId('audit-search').click()
  await page.waitForURL(/action=account\.create/)
  await settled(page)
  const row = table.locator('.el-table__row', { hasText: '新建账号' }).first()
  await row.waitFor()
  assert.match(await row.innerText(), /admin/)
  assert.match(await row.innerText(), /成功/)
  await row.locator('.el-table__expand-icon').click()
  const details = page.getByTestId('audit-details').first()
  await details.waitFor()
  const detailText = await details.innerText()
  assert.ok(detailText.includes(shared.accountId), 'the new account is the subject')
  assert.match(detailText, /username/)

  await page.setViewportSize(PHONE)
  await page.getByTestId('audit-cards').waitFor()
  // The unfiltered trail reads better on the phone screenshot.
  await page.getByRole('button', { name: '重置' }).click()
  await settled(page)
  await page.getByTestId('audit-cards').locator('li').nth(3).waitFor()
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)
  assert.ok(overflow <= 0, `no horizontal overflow on a phone (${overflow}px)`)
  await screenshot(page, 'audit-records-phone')
  await page.setViewportSize(DESKTOP)

  // Verify the chain, then sign a checkpoint.
  await page.goto(`${server.url}/audit/verify`)
  await settled(page)
  await page.getByTestId('verify-run').click()
  const result = page.locator('[data-testid=verify-result]')
  await result.waitFor({ timeout: 60_000 })
  assert.equal(await result.getAttribute('data-ok'), 'true')
  assert.match(await result.innerText(), /校验通过/)
  await page.getByTestId('checkpoint-create').click()
  const cp = page.getByTestId('checkpoint-result')
  await cp.waitFor()
  assert.match(await page.getByTestId('checkpoint-signature').innerText(), /^[0-9a-f]{128}$/)
  await quiet(page)
  await screenshot(page, 'audit-verify-desktop')
  await page.setViewportSize(PHONE)
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth)) <= 0, 'no horizontal overflow')
  await screenshot(page, 'audit-verify-phone')
  assert.deepEqual(page.errors(), [])
})
