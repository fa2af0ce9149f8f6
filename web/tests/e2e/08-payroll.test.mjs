// Payroll — the page acceptance test. The demo (`bole demo`) has a `payroll` account
// (薪酬专员), salary records for the demo employees and last month's run published, so the demo
// `employee` has a payslip. The payroll specialist creates this month's run, computes it (the
// report and the review table against last month), submits it, and trying to approve it is
// refused with the server's message; `hr` approves it in the wizard; payroll publishes it. On a
// phone the employee opens 我的工资条, reads last month's payslip (实发合计 as the API says) and
// downloads its PDF, then declares 子女教育 for one child at 100 % and sees 2,000.00/月. Every new
// page opens at phone and desktop width without horizontal overflow or console errors.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer, newContext, newPage, signIn, apiCall, cleanupProfiles, screenshot, settled, DESKTOP, PHONE,
} from '../harness.mjs'

let server
const contexts = []
/** This month and last month in China ('YYYY-MM'), the run this test creates, the employee's record. */
let thisMonth
let lastMonth
let runId
let employeeId

async function context(viewport) {
  const c = await newContext(viewport)
  contexts.push(c)
  return c
}

const monthOf = (offset) => {
  const d = new Date(Date.now() + 8 * 3_600_000)
  return new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + offset, 1)).toISOString().slice(0, 7)
}
/** "30000.5" → "30,000.50", as the pages write money. */
const money = (x) => {
  const [int, frac = ''] = String(x).replace(/^-/, '').split('.')
  return `${String(x).startsWith('-') ? '-' : ''}${int.replace(/\B(?=(\d{3})+(?!\d))/g, ',')}.${(frac + '00').slice(0, 2)}`
}
const itemsOf = (b) => (Array.isArray(b) ? b : (b?.items ?? []))
const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)

before(async () => {
  server = await startServer()
  thisMonth = monthOf(0)
  lastMonth = monthOf(-1)
  // The demo's payroll: last month's run is published, so the employee has a payslip to read.
  const c = await context(DESKTOP)
  const p = await newPage(c)
  await signIn(p, server, 'payroll')
  const runs = itemsOf((await apiCall(p, 'GET', '/pay-runs')).body)
  assert.ok(
    runs.some((r) => r.period === lastMonth && r.status === 'published'),
    `the demo has last month's run published: ${JSON.stringify(runs.map((r) => [r.period, r.status]))}`,
  )
  assert.ok(!runs.some((r) => r.period === thisMonth), 'no run for this month yet')
  await c.close()
})

after(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await server?.stop()
  cleanupProfiles()
})

test('the payroll specialist creates this month’s run, computes and reviews it, submits it; approving it themself is refused', async () => {
  const c = await context(DESKTOP)
  const page = await newPage(c, { allowed: [/status of 403/] })
  await signIn(page, server, 'payroll')
  // A payroll specialist's console opens at the pay runs.
  await page.waitForURL(/\/hr\/payroll\/runs$/)
  await page.getByTestId('pay-runs-table').waitFor()
  await settled(page)
  assert.match(await page.getByTestId('pay-runs-table').innerText(), /已发布/)

  // 新建批次: this month, the default pay date.
  await page.getByTestId('pay-run-create').click()
  await page.getByTestId('pay-run-form').waitFor()
  assert.equal(await page.getByTestId('pay-run-period').locator('input').inputValue(), thisMonth)
  await page.getByTestId('pay-run-save').click()
  await page.waitForURL(/\/hr\/payroll\/runs\/[0-9a-f-]{36}$/)
  runId = page.url().split('/').pop()
  await page.getByTestId('pay-run-steps').waitFor()
  assert.equal(await page.getByTestId('pay-run-status').innerText(), '草稿')
  assert.equal(await page.getByTestId('pay-run-steps').getAttribute('data-step'), '1')

  // 核算: the report, then the review table against last month.
  await page.getByTestId('pay-run-compute').click()
  await page.getByTestId('report-computed').waitFor({ timeout: 120_000 })
  await page.getByTestId('review-table').waitFor()
  await settled(page)
  assert.equal(await page.getByTestId('pay-run-status').innerText(), '已核算')
  assert.equal(await page.getByTestId('pay-run-steps').getAttribute('data-step'), '2')
  const run = (await apiCall(page, 'GET', `/pay-runs/${runId}`)).body
  const review = (await apiCall(page, 'GET', `/pay-runs/${runId}/review`)).body
  assert.ok(run.totals.headcount > 0, `computed someone: ${JSON.stringify(run.totals)}`)
  assert.equal(Number(await page.getByTestId('report-computed').innerText()), run.totals.headcount)
  assert.equal(await page.getByTestId('total-net').innerText(), money(run.totals.net))
  assert.equal(review.previous_period, lastMonth)
  assert.match(await page.getByTestId('review-previous').innerText(), new RegExp(`${Number(lastMonth.slice(5))}月`))
  const rows = review.rows
  const tableRows = page.getByTestId('review-table').locator('.el-table__body-wrapper tbody tr')
  assert.equal(await tableRows.count(), Math.min(rows.length, 50))

  // Differences against last month: an employee paid both months shows last month's net and the change.
  const both = rows.find((r) => r.net && r.previous_net && r.net_change)
  assert.ok(both, 'someone was paid last month and this month')
  await page.getByTestId('review-search').fill(both.employee_no)
  await page.waitForFunction(
    (no) => {
      const trs = document.querySelectorAll('[data-testid=review-table] .el-table__body-wrapper tbody tr')
      return trs.length === 1 && trs[0].textContent.includes(no)
    },
    both.employee_no,
  )
  const row = tableRows.first()
  assert.match(await row.innerText(), new RegExp(both.employee_name))
  assert.equal(await row.getByTestId('review-net').innerText(), money(both.net))
  assert.match(await row.innerText(), new RegExp(money(both.previous_net).replace(/[.]/g, '\\.')))
  const change = await row.getByTestId('review-change').innerText()
  const sign = Number(both.net_change) > 0 ? '↑' : Number(both.net_change) < 0 ? '↓' : ''
  if (sign) assert.ok(change.startsWith(sign), `${change} has the arrow ${sign}`)
  assert.ok(change.includes(money(both.net_change).replace(/^-/, '')), `${change} shows ${both.net_change}`)
  await page.getByTestId('review-search').fill('')

  // 只看异常: exactly the flagged rows.
  await page.getByTestId('review-only-anomalies').click()
  await page.waitForFunction(
    (n) => document.querySelectorAll('[data-testid=review-table] .el-table__body-wrapper tbody tr').length === n
      || (n === 0 && document.querySelector('[data-testid=review-table] .el-table__empty-text')),
    Math.min(review.flagged, 50),
  )
  await page.getByTestId('review-only-anomalies').click()
  await screenshot(page, 'payroll-review-desktop')

  // 提交审批 (leaving out anyone who failed, when someone did).
  if (run.totals.errors > 0) await page.getByTestId('pay-run-acknowledge').click()
  await page.getByTestId('pay-run-submit').click()
  await page.waitForFunction(() => document.querySelector('[data-testid=pay-run-status]')?.textContent?.trim() === '审批中')
  assert.equal(await page.getByTestId('pay-run-steps').getAttribute('data-step'), '3')

  // The preparer tries to approve: the server's refusal is shown word for word.
  await page.getByTestId('pay-run-approve').click()
  const refusal = page.getByTestId('pay-run-action-error')
  await refusal.waitFor()
  const direct = await apiCall(page, 'POST', `/pay-runs/${runId}/approve`, { comment: null })
  assert.equal(direct.status, 403)
  assert.equal(direct.body.error.code, 'pay_run_self_approval')
  assert.equal((await refusal.innerText()).trim(), direct.body.error.message)
  assert.equal(await page.getByTestId('pay-run-status').innerText(), '审批中')
  await screenshot(page, 'payroll-self-approval-desktop')
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('hr approves the run in the wizard; payroll publishes it and downloads the payroll register', async () => {
  assert.ok(runId, 'the run of the first test')
  const hc = await context(DESKTOP)
  const hp = await newPage(hc)
  await signIn(hp, server, 'hr')
  await hp.goto(`${server.url}/hr/payroll/runs/${runId}`)
  await hp.getByTestId('approval-decision').waitFor()
  await settled(hp)
  await hp.getByTestId('approval-mine').waitFor()
  // Returning or rejecting needs a comment: the form says so before anything is sent.
  await hp.getByTestId('pay-run-return').click()
  await hp.getByText('驳回或退回时请填写意见').waitFor()
  await hp.getByTestId('approval-comment').fill('已核对，同意发放')
  await hp.getByTestId('pay-run-approve').click()
  await hp.waitForFunction(() => document.querySelector('[data-testid=pay-run-status]')?.textContent?.trim() === '已锁定')
  assert.equal(await hp.getByTestId('pay-run-steps').getAttribute('data-step'), '4')
  assert.match(await hp.getByTestId('approval-history').innerText(), /已核对，同意发放/)
  assert.equal(await hp.getByTestId('pay-run-publish').count(), 0, 'hr reads runs but does not publish them')
  assert.deepEqual(hp.errors(), [])
  await hc.close()

  const c = await context(DESKTOP)
  const page = await newPage(c)
  await signIn(page, server, 'payroll')
  await page.goto(`${server.url}/hr/payroll/runs/${runId}`)
  await page.getByTestId('pay-run-publish').click()
  await page.locator('.el-message-box__btns .el-button--primary').click()
  await page.getByTestId('pay-run-published').waitFor()
  assert.equal(await page.getByTestId('pay-run-status').innerText(), '已发布')
  assert.equal(await page.getByTestId('pay-run-steps').getAttribute('data-step'), '5')
  // The payroll register (工资表) downloads with the session, as a named .xlsx attachment.
  const [resp, download] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/pay-runs/${runId}/exports/register_xlsx`)),
    page.waitForEvent('download'),
    page.getByTestId('export-register_xlsx').click(),
  ])
  assert.equal(resp.status(), 200)
  assert.match(resp.headers()['content-type'] ?? '', /spreadsheetml/)
  assert.match(resp.headers()['content-disposition'] ?? '', /attachment/)
  assert.match(download.suggestedFilename(), /\.xlsx$/)
  await screenshot(page, 'payroll-published-desktop')
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('on a phone the employee reads last month’s payslip, downloads its PDF and declares 子女教育', async () => {
  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'employee')
  employeeId = (await apiCall(page, 'GET', '/auth/me')).body.employee_id
  await page.waitForURL(/\/me/)
  await page.getByTestId('pay-shortcuts').waitFor()
  await page.getByTestId('shortcut-payslips').click()
  await page.waitForURL(/\/me\/payslips$/)
  const item = page.locator(`[data-testid=payslip-item][data-period="${lastMonth}"]`).first()
  await item.waitFor()
  await settled(page)
  const mine = itemsOf((await apiCall(page, 'GET', '/me/payslips')).body)
  const last = mine.find((s) => s.period === lastMonth)
  assert.ok(last, 'last month’s payslip is listed')
  assert.equal(await item.getByTestId('payslip-item-net').innerText(), money(last.net))
  await screenshot(page, 'payroll-payslips-phone')

  await item.click()
  await page.waitForURL(/\/me\/payslips\/[0-9a-f-]{36}$/)
  await page.getByTestId('payslip').waitFor()
  await settled(page)
  const view = (await apiCall(page, 'GET', `/payslips/${last.id}`)).body
  assert.match(await page.getByTestId('payslip').innerText(), /实发合计/)
  assert.equal(await page.getByTestId('payslip-net').innerText(), money(view.payslip.net))
  assert.equal(await page.getByTestId('payslip-gross').innerText(), money(view.payslip.gross))
  // The cumulative working of 个税 is collapsed until asked for.
  const working = page.getByTestId('payslip-tax-working')
  await working.locator('.van-collapse-item__title').click()
  await working.getByTestId('payslip-withhold').waitFor({ state: 'visible' })
  assert.equal(await working.getByTestId('payslip-withhold').innerText(), money(view.payslip.tax.withhold))
  assert.ok((await overflow(page)) <= 0, 'payslip: no horizontal overflow')
  await screenshot(page, 'payroll-payslip-phone')

  // 下载PDF: the server's PDF, fetched with the session.
  const [pdf] = await Promise.all([
    page.waitForResponse((r) => r.url().includes(`/payslips/${last.id}/pdf`)),
    page.getByTestId('payslip-pdf').click(),
  ])
  assert.equal(pdf.status(), 200)
  assert.match(pdf.headers()['content-type'] ?? '', /^application\/pdf/)
  // The bytes are a PDF (read again through the session: the page handed its copy to the browser).
  const magic = await page.evaluate(async (u) => new TextDecoder('latin1').decode((await (await fetch(u)).arrayBuffer()).slice(0, 5)), `/api/v1/payslips/${last.id}/pdf`)
  assert.equal(magic, '%PDF-')

  // 专项附加扣除: one child at 100 % → 2,000.00 a month, as the server computes it.
  const year = Number(thisMonth.slice(0, 4))
  for (const d of itemsOf((await apiCall(page, 'GET', `/me/deductions?year=${year}`)).body)) {
    if (d.kind === 'child_education' && d.status === 'active') await apiCall(page, 'POST', `/me/deductions/${d.id}/withdraw`)
  }
  await page.goto(`${server.url}/me`)
  await page.getByTestId('shortcut-deductions').click()
  await page.waitForURL(/\/me\/deductions$/)
  await page.getByTestId('deductions-summary').waitFor()
  await settled(page)
  await page.getByTestId('deduction-add').click()
  const form = page.getByTestId('deduction-form')
  await form.waitFor()
  await form.getByTestId('deduction-kind-child_education').click()
  assert.equal(await form.getByTestId('deduction-children').locator('input').inputValue(), '1')
  await form.getByTestId('deduction-share-100').click()
  await form.getByTestId('deduction-submit').click()
  await form.waitFor({ state: 'hidden' })
  const decl = page.locator('[data-testid=deduction][data-kind=child_education]').first()
  await decl.waitFor()
  assert.equal((await decl.getByTestId('deduction-amount').innerText()).trim(), '2,000.00/月')
  const listed = itemsOf((await apiCall(page, 'GET', `/me/deductions?year=${year}`)).body)
  assert.ok(listed.some((d) => d.kind === 'child_education' && d.status === 'active' && d.monthly_amount === '2000.00'))
  // The month's total is the sum of the active declarations (the demo may have declared others).
  const fen = listed.filter((d) => d.status === 'active').reduce((a, d) => a + Math.round(Number(d.monthly_amount) * 100), 0)
  assert.equal(await page.getByTestId('deductions-total').innerText(), money((fen / 100).toFixed(2)))
  await screenshot(page, 'payroll-deductions-phone')
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('every new page at phone and desktop width: no horizontal overflow, no console errors', async () => {
  assert.ok(runId && employeeId, 'the earlier tests ran')
  for (const viewport of [PHONE, DESKTOP]) {
    const tag = viewport === PHONE ? 'phone' : 'desktop'
    // Self-service.
    const ec = await context(viewport)
    const ep = await newPage(ec)
    await signIn(ep, server, 'employee')
    const slip = itemsOf((await apiCall(ep, 'GET', '/me/payslips')).body)[0]
    for (const [path, testid] of [
      ['/me', 'pay-shortcuts'],
      ['/me/payslips', 'payslip-item'],
      [`/me/payslips/${slip.id}`, 'payslip'],
      ['/me/deductions', 'deduction-list'],
    ]) {
      await ep.goto(`${server.url}${path}`)
      await ep.getByTestId(testid).first().waitFor()
      await settled(ep)
      assert.ok((await overflow(ep)) <= 0, `${tag} ${path}: no horizontal overflow`)
    }
    assert.deepEqual(ep.errors(), [])
    await ec.close()

    // The console.
    const c = await context(viewport)
    // The refused formula answers 4xx, which the browser logs.
    const page = await newPage(c, { allowed: [/status of 4(00|22)/] })
    await signIn(page, server, 'payroll')
    const phone = viewport === PHONE
    for (const [path, testid] of [
      ['/hr/payroll/runs', phone ? 'pay-runs-cards' : 'pay-runs-table'],
      [`/hr/payroll/runs/${runId}`, phone ? 'review-cards' : 'review-table'],
      ['/hr/payroll/components', phone ? 'components-cards' : 'components-table'],
      ['/hr/payroll/structures', 'structures-list'],
      ['/hr/payroll/si-policies', 'si-policy'],
      [`/hr/payroll/salary?employee=${employeeId}`, 'salary-history'],
    ]) {
      await page.goto(`${server.url}${path}`)
      await page.getByTestId(testid).first().waitFor()
      await settled(page)
      assert.ok((await overflow(page)) <= 0, `${tag} ${path}: no horizontal overflow`)
      if (path === '/hr/payroll/si-policies') {
        // 试算: Beijing, this month, base 5,000 — the employee and employer totals the server gives.
        await page.getByTestId('si-preview-base').fill('5000')
        await page.getByTestId('si-preview-run').click()
        await page.getByTestId('si-preview-result').waitFor()
        const city = await page.getByTestId('si-preview-city').getAttribute('data-city')
        assert.ok(city, 'a city in force is preselected')
        const r = await apiCall(page, 'POST', '/payroll/si-preview', { city, month: thisMonth, si_base: '5000' })
        assert.equal(r.status, 200, JSON.stringify(r.body))
        assert.equal(await page.getByTestId('si-preview-employee').innerText(), money(r.body.employee_total))
        assert.equal(await page.getByTestId('si-preview-employer').innerText(), money(r.body.employer_total))
        assert.ok((await overflow(page)) <= 0, `${tag} si preview: no horizontal overflow`)
        await screenshot(page, `payroll-si-${tag}`)
      }
      if (path === '/hr/payroll/structures' && !phone) {
        // A formula naming an unknown variable: the server's error is shown under that formula.
        await page.getByTestId('structure-edit').first().click()
        const form = page.getByTestId('structure-form')
        await form.waitFor()
        // The first line (the base salary) turned into a formula that cannot compile; not saved.
        const line = form.getByTestId('structure-item').first()
        await line.getByTestId('item-source').getByText('公式').click()
        await line.getByTestId('item-formula').fill('base * no_such_variable')
        await page.getByTestId('structure-save').click()
        await line.getByTestId('item-formula-error').waitFor()
        assert.match(await line.getByTestId('item-formula-error').innerText(), /no_such_variable/)
        await screenshot(page, 'payroll-structure-error-desktop')
        await page.keyboard.press('Escape')
      }
    }
    await screenshot(page, `payroll-salary-${tag}`)
    assert.deepEqual(page.errors(), [])
    await c.close()
  }
})
