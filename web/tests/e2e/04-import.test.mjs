// Roster import: HR uploads a CSV roster through the wizard. One bad row (a resident ID number
// with a wrong check digit) makes the server refuse the whole file: the wizard lists the
// problem by row and column and nothing is imported — the good rows are not in the directory.
// With the row fixed, the same upload imports every row. The headers are the importer's own
// (crates/bole-people/src/roster.rs: 工号, 姓名, 身份证号, 入职日期, 组织编码, 用工类型, 编制类别 are
// required; 手机号 and 岗位编码 optional), values as a clerk would type them (全职, 合同制).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { startServer, newContext, newPage, signIn, cleanupProfiles, apiCall, DESKTOP, PHONE, screenshot, settled } from '../harness.mjs'

let server
let context

function residentId(region, birth, seq) {
  const body = `${region}${birth}${seq}`
  const weights = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
  const sum = [...body].reduce((s, c, i) => s + Number(c) * weights[i], 0)
  return body + '10X98765432'[sum % 11]
}
function breakCheckDigit(id) {
  return id.slice(0, 17) + (id[17] === '0' ? '1' : '0')
}
function today() {
  const d = new Date()
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`
}

const stamp = Date.now().toString().slice(-5)
const people = [
  { no: `IMP${stamp}1`, name: '韦思远', id: residentId('450103', '19920314', '135'), phone: '13907711001', position: 'BL-FIN-ACC-SPC' },
  { no: `IMP${stamp}2`, name: '覃雨桐', id: residentId('450105', '19950808', '246'), phone: '13907711002', position: 'BL-FIN-ACC-AST' },
  { no: `IMP${stamp}3`, name: '蒙嘉怡', id: residentId('450102', '19981120', '328'), phone: '13907711003', position: '' },
]
function roster(badRow) {
  const header = '工号,姓名,身份证号,手机号,入职日期,组织编码,岗位编码,用工类型,编制类别'
  const lines = people.map((p, i) =>
    [p.no, p.name, i === badRow ? breakCheckDigit(p.id) : p.id, p.phone, today(), 'BL-FIN-ACC', p.position, '全职', '合同制'].join(','),
  )
  return Buffer.from([header, ...lines].join('\r\n') + '\r\n', 'utf8')
}

async function uploadInWizard(page, buffer) {
  await page.getByTestId('import-step-2').waitFor()
  await page.locator('.el-upload__input').setInputFiles({ name: 'roster.csv', mimeType: 'text/csv', buffer })
  await page.getByTestId('import-file').filter({ hasText: 'roster.csv' }).waitFor()
  await page.getByTestId('import-submit').click()
  await page.getByTestId('import-step-3').waitFor()
}

before(async () => {
  server = await startServer()
})
after(async () => {
  await context?.close()
  await server?.stop()
  cleanupProfiles()
})

test('a roster with a bad row is refused row by row and nothing is imported; fixed, it imports', async () => {
  context = await newContext(DESKTOP)
  // The refused import answers 422, which the browser logs.
  const page = await newPage(context, { allowed: [/status of 422/] })
  await signIn(page, server, 'hr')
  await page.goto(`${server.url}/hr/import`)
  await settled(page)
  await page.getByTestId('import-step-1').waitFor()
  assert.match(await page.locator('.el-select__wrapper:has(#imp-company)').innerText(), /广西伯乐科技集团有限公司/)
  await page.getByTestId('import-next').click()

  // Row 3 of the sheet (header on row 1) has a wrong check digit.
  await uploadInWizard(page, roster(1))
  const failure = page.getByTestId('import-failure')
  await failure.waitFor()
  const summary = await page.getByTestId('import-error').innerText()
  assert.match(summary, /花名册有\d+处问题/)
  assert.match(summary, /共 1 行有误，本次未导入任何员工/)
  // Every problem is on sheet row 3; the ID number's check digit is named (the gender, which a
  // valid number would give, is reported missing too).
  const errors = page.getByTestId('import-row-errors').locator('tbody tr')
  const lines = await errors.allInnerTexts()
  assert.ok(lines.length >= 1)
  for (const l of lines) assert.match(l, /第 3 行/)
  assert.ok(lines.some((l) => /身份证号/.test(l) && /校验位/.test(l)), lines.join('\n'))
  await screenshot(page, 'import-error-desktop')

  // All or nothing: the two good rows are not in the directory either.
  const other = await context.newPage()
  await other.goto(`${server.url}/hr/employees?q=${encodeURIComponent(people[0].name)}`)
  await settled(other)
  await other.locator('[data-state=empty]').waitFor()
  await other.close()
  for (const p of people) {
    const r = await apiCall(page, 'GET', `/employees?q=${encodeURIComponent(p.no)}`)
    assert.equal(r.body.total, 0, `${p.name} must not have been imported`)
  }

  // Fix the row and upload again: every row is imported.
  await page.getByTestId('import-retry').click()
  await uploadInWizard(page, roster(-1))
  const ok = page.getByTestId('import-success')
  await ok.waitFor()
  assert.match(await ok.innerText(), /已成功导入 3 名员工/)
  await ok.getByRole('button', { name: '查看花名册' }).click()
  await page.waitForURL(/\/hr\/employees/)
  await page.getByTestId('employee-search').fill(people[1].name)
  await page.waitForURL((u) => u.searchParams.get('q') === people[1].name)
  await settled(page)
  const row = page.locator('.employee-table tbody tr', { hasText: people[1].name })
  await row.waitFor()
  assert.match(await row.innerText(), /会计核算组/)
  assert.match(await row.innerText(), /会计助理/)
  for (const p of people) {
    const r = await apiCall(page, 'GET', `/employees?q=${encodeURIComponent(p.no)}`)
    assert.equal(r.body.total, 1, `${p.name} was imported`)
  }
  assert.deepEqual(page.errors(), [])
  await context.close()
  context = null
})

test('the import wizard works on a phone', async () => {
  context = await newContext(PHONE)
  const page = await newPage(context, { allowed: [/status of 422/] })
  await signIn(page, server, 'hr')
  await page.goto(`${server.url}/hr/import`)
  await settled(page)
  await page.getByTestId('import-next').click()
  // The same numbers again: now refused as duplicates, row by row.
  await uploadInWizard(page, roster(-1))
  await page.getByTestId('import-failure').waitFor()
  // A list rather than a table on a phone, one entry per problem.
  assert.ok((await page.getByTestId('import-row-errors').locator('li').count()) >= 3)
  assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth + 1), 'no page-level horizontal overflow')
  await screenshot(page, 'import-phone')
  assert.deepEqual(page.errors(), [])
})
