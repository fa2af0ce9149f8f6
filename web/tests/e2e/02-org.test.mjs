// Organisation pages as HR: the org chart on a day (a unit created today is in today's chart
// and not in last year's), headcount against quota per unit with over-quota units in red,
// the unit panel with its path, quotas and a link to its people; org units with their
// history; creating a position through the form (client validation, the server's refusal of
// a duplicate code, then success); and the three pages on a phone without page-level
// horizontal overflow.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, newContext, newPage, signIn, apiCall, cleanupProfiles, DESKTOP, PHONE, screenshot, settled } from '../harness.mjs'

let server
let desktop
let phone
before(async () => {
  server = await startServer()
})
after(async () => {
  await desktop?.close()
  await phone?.close()
  await server?.stop()
  cleanupProfiles()
})

function isoDate(d) {
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}
const today = isoDate(new Date())
const lastYear = (() => {
  const d = new Date()
  d.setFullYear(d.getFullYear() - 1)
  return isoDate(d)
})()
const NEW_UNIT = '数字化转型办公室'

/** Number of drawn (non-transparent, non-white) pixels of the chart canvas. */
async function inkedPixels(page) {
  return page.evaluate(() => {
    const c = document.querySelector('[data-testid=org-chart] canvas')
    if (!c) return 0
    const ctx = c.getContext('2d')
    const { data } = ctx.getImageData(0, 0, c.width, c.height)
    let n = 0
    for (let i = 0; i < data.length; i += 4) if (data[i + 3] > 0 && (data[i] < 240 || data[i + 1] < 240 || data[i + 2] < 240)) n++
    return n
  })
}

async function chartLabel(page) {
  return page.locator('[data-testid=org-chart] [role=img]').getAttribute('aria-label')
}

/** The chart's label once it satisfies `ok` (the tree reloads asynchronously after a change). */
async function chartLabelWhen(page, ok, what) {
  const deadline = Date.now() + 15_000
  for (;;) {
    const label = (await chartLabel(page)) ?? ''
    if (ok(label)) return label
    if (Date.now() > deadline) assert.fail(`${what}; the chart says: ${label}`)
    await page.waitForTimeout(200)
  }
}

async function setAsOf(page, inputSelector, date) {
  const input = page.locator(inputSelector)
  await input.click()
  await input.fill(date)
  await input.press('Enter')
  await page.keyboard.press('Escape')
  await page.waitForURL((u) => u.searchParams.get('as_of') === date)
  await settled(page)
}

test('the org chart shows the tree on a day with headcount against quota, and follows the as-of date', async () => {
  desktop = await newContext(DESKTOP)
  const page = await newPage(desktop)
  await signIn(page, server, 'hr')

  // A unit effective today under the first company's top unit.
  const companies = (await apiCall(page, 'GET', '/companies')).body
  const company = companies[0]
  const units = (await apiCall(page, 'GET', `/org-units?company_id=${company.id}`)).body
  const root = units.find((u) => !u.parent_id)
  const created = await apiCall(page, 'POST', '/org-units', {
    company_id: company.id,
    parent_id: root.id,
    code: 'BL-E2E-DTO',
    name: NEW_UNIT,
    kind: 'department',
    effective_date: today,
  })
  assert.equal(created.status, 201, JSON.stringify(created.body))

  await page.goto(`${server.url}/hr/org-chart`)
  await settled(page)
  await page.locator('[data-testid=org-chart] canvas').waitFor()
  await page.waitForTimeout(800) // the tree's entry animation
  assert.ok((await inkedPixels(page)) > 2000, 'the chart draws the tree')
  const label = await chartLabelWhen(page, (l) => l.includes(NEW_UNIT), 'the unit created today is in today’s chart')
  assert.match(label, new RegExp(root.name))
  assert.match(label, /财务部（\d+\/\d+）/, 'first-level units with on post/quota figures')
  assert.match(label, new RegExp(NEW_UNIT))
  const summary = await page.getByTestId('org-summary').innerText()
  assert.match(summary, /在岗 \d+ 人/)
  assert.match(summary, /编制 \d+ 名/)
  await screenshot(page, 'org-chart-desktop')

  // The compact list: the same tree as text, over-quota units in red.
  await page.getByTestId('view-list').click()
  await page.waitForURL((u) => u.searchParams.get('view') === 'list')
  const list = page.getByTestId('org-list')
  await list.getByText(NEW_UNIT).waitFor()
  const text = await list.innerText()
  assert.match(text, /财务部\s+BL-FIN\s[\s\S]{0,20}?\d+\/\d+/)
  assert.ok((await list.locator('.el-tag--danger').count()) >= 1, 'an over-quota unit is red')

  // The panel of a unit: path, quotas and the link to its people.
  await list.getByText('会计核算组', { exact: true }).click()
  const drawer = page.locator('.unit-drawer')
  await drawer.getByTestId('unit-path').getByText('财务部').waitFor()
  await drawer.getByTestId('unit-quotas').waitFor()
  assert.match(await drawer.getByTestId('unit-quotas').innerText(), /合同制/)
  const href = await drawer.getByTestId('unit-employees-link').getAttribute('href')
  assert.match(href, /\/hr\/employees\?org_unit=[0-9a-f-]{36}/)
  await page.keyboard.press('Escape')
  await drawer.waitFor({ state: 'hidden' })

  // A year ago the new unit did not exist; the date is kept in the URL.
  await setAsOf(page, '#org-chart-as-of', lastYear)
  await list.getByText('财务部', { exact: true }).waitFor()
  // The tree reloads for the new date: the unit created today must disappear from the list.
  await list.getByText(NEW_UNIT).waitFor({ state: 'detached', timeout: 15_000 })
  await page.reload()
  await settled(page)
  assert.equal(await page.locator('#org-chart-as-of').inputValue(), lastYear)
  await page.getByTestId('view-toggle').getByText('架构图').click()
  await page.locator('[data-testid=org-chart] canvas').waitFor()
  const past = await chartLabelWhen(page, (l) => l.includes(lastYear), 'the chart shows last year')
  assert.match(past, new RegExp(lastYear))
  assert.match(past, /财务部/)
  assert.ok(!past.includes(NEW_UNIT), 'the chart as of last year does not show the new unit')

  // Back to today: the unit is there again.
  await page.getByRole('button', { name: '回到今天' }).click()
  await page.waitForURL((u) => !u.searchParams.has('as_of'))
  await settled(page)
  await chartLabelWhen(page, (l) => l.includes(NEW_UNIT), 'back to today the unit is there again')
  assert.deepEqual(page.errors(), [])
})

test('org units: the table on a day and a unit’s history', async () => {
  const page = await newPage(desktop)
  await page.goto(`${server.url}/hr/org-units`)
  await settled(page)
  const table = page.getByTestId('units-table')
  await table.getByText('财务部', { exact: true }).first().waitFor()
  await screenshot(page, 'org-units-desktop')
  await page.getByTestId('units-search').fill('BL-OPS-IT')
  await table.getByText('BL-OPS-IT', { exact: true }).click()
  const history = page.getByTestId('unit-history')
  await history.waitFor()
  assert.match(await history.innerText(), /调整隶属/)
  assert.match(page.url(), /unit=[0-9a-f-]{36}/)
  assert.deepEqual(page.errors(), [])
})

test('HR creates a position through the form and sees it in the list', async () => {
  const page = await newPage(desktop, { allowed: [/status of 409/] })
  await page.goto(`${server.url}/hr/positions`)
  await settled(page)
  await page.getByTestId('positions-table').getByText('BL-FIN-HEAD').waitFor()

  await page.getByTestId('position-create').click()
  const dialog = page.getByTestId('position-create-dialog')
  await dialog.waitFor()
  // Client-side validation first.
  await dialog.getByTestId('position-create-submit').click()
  await dialog.locator('.el-form-item__error').first().waitFor()
  assert.ok((await dialog.locator('.el-form-item__error').count()) >= 4)

  async function fill(code) {
    await dialog.getByTestId('position-unit').click()
    await page.keyboard.type('人力资源部')
    await page.locator('.unit-select-popper:visible .el-tree-node__content', { hasText: '人力资源部' }).first().click()
    await dialog.getByTestId('position-code').fill(code)
    await dialog.getByTestId('position-name').fill('人才发展专员')
    await dialog.getByTestId('position-family').fill('专业技术序列')
    await dialog.getByTestId('position-grade').fill('P5')
    await page.keyboard.press('Tab')
  }
  // A code already in use: the server's message is shown in the dialog.
  await fill('BL-FIN-HEAD')
  await dialog.getByTestId('position-create-submit').click()
  await dialog.getByRole('alert').filter({ hasText: '已被使用' }).waitFor()

  await dialog.getByTestId('position-code').fill('BL-HR-E2E-TD')
  await dialog.getByTestId('position-create-submit').click()
  await dialog.waitFor({ state: 'hidden' })
  const row = page.getByTestId('positions-table').locator('tr', { hasText: 'BL-HR-E2E-TD' })
  await row.waitFor()
  assert.match(await row.innerText(), /人才发展专员[\s\S]*人力资源部[\s\S]*专业技术序列[\s\S]*P5/)
  await screenshot(page, 'positions-desktop')

  // The quotas tab: unit, category, quota, on post and vacant.
  await page.getByRole('tab', { name: '编制' }).click()
  await page.getByTestId('quotas-table').waitFor()
  assert.match(await page.getByTestId('quota-summary').innerText(), /编制合计 \d+/)
  assert.deepEqual(page.errors(), [])
})

test('on a phone the org pages fit the screen', async () => {
  phone = await newContext(PHONE)
  const page = await newPage(phone)
  await signIn(page, server, 'hr')
  const overflow = () => page.evaluate(() => document.documentElement.scrollWidth)

  await page.goto(`${server.url}/hr/org-chart`)
  await settled(page)
  await page.locator('[data-testid=org-chart] canvas').waitFor()
  await page.waitForTimeout(800)
  assert.ok((await inkedPixels(page)) > 2000, 'the chart draws the tree')
  assert.ok((await overflow()) <= 390, `no horizontal page overflow (${await overflow()})`)
  await screenshot(page, 'org-chart-phone')

  await page.goto(`${server.url}/hr/org-units`)
  await settled(page)
  await page.getByTestId('units-cards').getByText('财务部', { exact: true }).first().waitFor()
  assert.ok((await overflow()) <= 390)
  await screenshot(page, 'org-units-phone')

  await page.goto(`${server.url}/hr/positions`)
  await settled(page)
  await page.getByTestId('positions-cards').getByText('财务部经理').waitFor()
  assert.ok((await overflow()) <= 390)
  await screenshot(page, 'positions-phone')
  assert.deepEqual(page.errors(), [])
})
