// Time, leave and approvals — the acceptance test. On a phone the `employee` clocks in,
// opens 请假, sees the live balance and quote, and applies for annual leave on two future working
// days (chosen from the server's 2026 work calendar); an overlapping application is refused with
// the server's own message on the form. The line manager (`manager`) finds the task in 我的审批
// and approves it; the employee's annual balance then went down by the leave's days and the
// attendance calendar shows those days as leave. Every new page is opened at phone and desktop
// size without horizontal overflow or console errors, the HR console pages too.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import {
  startServer, newContext, newPage, signIn, apiCall, cleanupProfiles, screenshot, settled, DESKTOP, PHONE,
} from '../harness.mjs'

let server
const contexts = []
/** The two working days the leave covers, and the annual balance before applying (days). */
let day1
let day2
let before0

async function context(viewport) {
  const c = await newContext(viewport)
  contexts.push(c)
  return c
}

const isoAdd = (iso, n) => {
  const d = new Date(`${iso}T00:00:00Z`)
  d.setUTCDate(d.getUTCDate() + n)
  return d.toISOString().slice(0, 10)
}
const isWeekend = (iso) => [0, 6].includes(new Date(`${iso}T00:00:00Z`).getUTCDay())

/** Days from the number at the start of a text like "5 天" / "5.5 days". */
const daysIn = (text) => Number(String(text).trim().match(/-?\d+(?:\.\d+)?/)?.[0])

/** The annual leave balance of the signed-in employee, from the API (days, as numbers). */
async function annualBalance(page) {
  const r = await apiCall(page, 'GET', '/leave/balances')
  assert.equal(r.status, 200, JSON.stringify(r.body))
  const list = Array.isArray(r.body) ? r.body : r.body.balances
  const b = list.find((x) => x.leave_type_code === 'annual')
  assert.ok(b, `an annual leave balance: ${JSON.stringify(list.map((x) => x.leave_type_code))}`)
  return { available: Number(b.available), used: Number(b.used), pending: Number(b.pending) }
}

before(async () => {
  server = await startServer()
  const ec = await context(PHONE)
  const ep = await newPage(ec)
  await signIn(ep, server, 'employee')
  const me = (await apiCall(ep, 'GET', '/auth/me')).body
  assert.ok(me.employee_id, 'the employee account has an employee record')

  // Two consecutive working days at least a week after the server's today, from its calendar
  // (national days off and make-up Saturdays included), so the leave is in the future.
  // The server dates attendance on China's wall clock (UTC+8), whatever the machine's zone.
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  const year = Number(today.slice(0, 4))
  const cal = await apiCall(ep, 'GET', `/calendars/${year}`)
  assert.equal(cal.status, 200, JSON.stringify(cal.body))
  const next = await apiCall(ep, 'GET', `/calendars/${year + 1}`)
  const off = new Set([...cal.body.days_off, ...(next.status === 200 ? next.body.days_off : [])])
  const makeup = new Set([...cal.body.makeup_workdays, ...(next.status === 200 ? next.body.makeup_workdays : [])])
  const working = (d) => (makeup.has(d) || !isWeekend(d)) && !off.has(d)
  let d = isoAdd(today, 7)
  while (!(working(d) && working(isoAdd(d, 1)))) d = isoAdd(d, 1)
  day1 = d
  day2 = isoAdd(d, 1)

  // When this employee has less than the two days of annual leave, HR prepares it as HR would:
  // records when they started working (the basis of the statutory 5/10/15 days) and runs the
  // year's annual grant (idempotent). Real preparation through the API.
  let bal = await annualBalance(ep)
  if (bal.available < 2) {
    const hc = await context(DESKTOP)
    const hp = await newPage(hc)
    await signIn(hp, server, 'hr')
    const p = await apiCall(hp, 'PUT', `/leave/profiles/${me.employee_id}`, { work_start_date: '2012-07-01' })
    assert.equal(p.status, 200, `leave profile: ${JSON.stringify(p.body)}`)
    const g = await apiCall(hp, 'POST', '/leave/grants/annual', { year: Number(day1.slice(0, 4)) })
    assert.ok([200, 201].includes(g.status), `annual grant: ${g.status} ${JSON.stringify(g.body)}`)
    await hc.close()
    bal = await annualBalance(ep)
    if (bal.available < 2) console.error(`annual grant gave no balance: ${JSON.stringify(g.body)}`)
  }
  assert.ok(bal.available >= 2, `the employee has at least 2 days of annual leave (has ${bal.available})`)
  before0 = bal
  await ec.close()
})

after(async () => {
  for (const c of contexts) await c.close().catch(() => {})
  await server?.stop()
  cleanupProfiles()
})

test('on a phone the employee clocks in and applies for annual leave with a live balance; an overlap is refused', async () => {
  const c = await context(PHONE)
  const page = await newPage(c, { allowed: [/status of 409/] })
  await signIn(page, server, 'employee')
  await page.waitForURL(/\/me/)
  await page.getByTestId('time-shortcuts').waitFor()

  // Clock in: the server stamps the punch; today's list shows it.
  await page.getByTestId('shortcut-clock').click()
  await page.waitForURL(/\/me\/clock/)
  await page.getByTestId('punch-button').waitFor()
  await settled(page)
  assert.match(await page.getByTestId('server-time').innerText(), /\d{1,2}:\d{2}:\d{2}/)
  const punchesBefore = await page.getByTestId('punch-item').count()
  await page.getByTestId('punch-button').click()
  await page.waitForFunction((n) => document.querySelectorAll('[data-testid=punch-item]').length === n + 1, punchesBefore)
  assert.match(await page.getByTestId('punch-item').last().innerText(), /\d{2}:\d{2}/)
  await screenshot(page, 'time-clock-phone')

  // 请假: the balance card shows what the API says is available.
  await page.goto(`${server.url}/me/leave`)
  const card = page.getByTestId('balance-annual')
  await card.waitFor()
  await settled(page)
  assert.equal(daysIn(await card.getByTestId('balance-available').innerText()), before0.available)
  await screenshot(page, 'time-leave-phone')

  // The form: annual leave over the two working days; the quote follows the fields live.
  await page.getByTestId('leave-apply').click()
  await page.waitForURL(/\/me\/leave\/apply/)
  await page.getByTestId('leave-type-annual').click()
  await page.getByTestId('leave-start').locator('input').fill(day1)
  await page.getByTestId('leave-end').locator('input').fill(day1)
  const duration = page.getByTestId('quote-duration')
  await page.waitForFunction(() => document.querySelector('[data-testid=quote-duration]')?.textContent?.trim().startsWith('1'))
  await page.getByTestId('leave-end').locator('input').fill(day2)
  await page.waitForFunction(() => document.querySelector('[data-testid=quote-duration]')?.textContent?.trim().startsWith('2'))
  assert.equal(daysIn(await duration.innerText()), 2)
  assert.equal(daysIn(await page.getByTestId('quote-balance').innerText()), before0.available + before0.pending)
  assert.equal(daysIn(await page.getByTestId('quote-after').innerText()), before0.available - 2)
  await page.getByTestId('leave-reason').locator('textarea').fill('家中有事，需请年假处理')
  await screenshot(page, 'time-leave-apply-phone')
  await page.getByTestId('leave-submit').click()
  await page.waitForURL((u) => u.pathname === '/me/leave')
  const app = page.getByTestId('leave-application').filter({ hasText: day1 }).first()
  await app.waitFor()
  assert.equal(await app.getByTestId('leave-status').innerText(), '审批中')
  assert.equal(daysIn(await card.getByTestId('balance-pending').innerText()), before0.pending + 2)
  assert.equal(daysIn(await card.getByTestId('balance-available').innerText()), before0.available - 2)

  // An overlapping application (the second day again) is refused: the server's message is shown
  // on the form, word for word.
  await page.goto(`${server.url}/me/leave/apply`)
  await page.getByTestId('leave-type-annual').click()
  await page.getByTestId('leave-start').locator('input').fill(day2)
  await page.getByTestId('leave-end').locator('input').fill(day2)
  await page.getByTestId('leave-reason').locator('textarea').fill('重复申请')
  await page.getByTestId('leave-submit').click()
  const formError = page.getByTestId('leave-form-error')
  await formError.waitFor()
  const shown = (await formError.innerText()).trim()
  const direct = await apiCall(page, 'POST', '/leave/applications', { leave_type: 'annual', start_date: day2, end_date: day2, reason: '重复申请' })
  assert.equal(direct.status, 409)
  assert.equal(direct.body.error.code, 'leave_overlaps')
  assert.equal(shown, direct.body.error.message)
  assert.match(shown, new RegExp(day1))
  assert.equal(new URL(page.url()).pathname, '/me/leave/apply', 'stays on the form')
  await screenshot(page, 'time-leave-overlap-phone')
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('the line manager finds the leave in 我的审批 and approves it', async () => {
  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'manager')
  // The home page's 我的审批 tile carries the number of tasks waiting.
  await page.goto(`${server.url}/me`)
  await page.getByTestId('shortcut-approvals').locator('.van-badge').waitFor()
  assert.equal((await page.getByTestId('shortcut-approvals').locator('.van-badge').innerText()).trim(), '1')
  await page.goto(`${server.url}/me/approvals`)
  const inbox = page.getByTestId('approvals-inbox')
  await inbox.waitFor()
  await settled(page)
  const item = inbox.getByTestId('approval-item').filter({ hasText: day1 }).first()
  await item.waitFor()
  assert.equal(await item.getByTestId('approval-status').innerText(), '审批中')
  await screenshot(page, 'time-approvals-phone')
  await item.click()
  await page.waitForURL(/\/me\/approvals\/[0-9a-f-]{36}/)
  await page.getByTestId('approval-detail').waitFor()
  await settled(page)
  assert.match(await page.getByTestId('approval-summary').innerText(), new RegExp(day1))
  // Rejecting needs a comment: the form says so before anything is sent.
  await page.getByTestId('approval-reject').click()
  await page.getByText('驳回或退回时请填写意见').waitFor()
  await page.getByTestId('approval-comment').locator('textarea').fill('同意，注意工作交接')
  await screenshot(page, 'time-approval-detail-phone')
  await page.getByTestId('approval-approve').click()
  await page.waitForFunction(() => document.querySelector('[data-testid=approval-detail-status]')?.textContent?.trim() === '已批准')
  assert.equal(await page.getByTestId('approval-actions').count(), 0, 'no actions once decided')
  assert.match(await page.getByTestId('approval-history').innerText(), /同意，注意工作交接/)

  // It moved from 待我审批 to 我已审批.
  await page.goto(`${server.url}/me/approvals?tab=done`)
  await page.getByTestId('approvals-done').getByTestId('approval-item').filter({ hasText: day1 }).first().waitFor()
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('after approval the balance went down by the leave and the calendar shows those days as leave', async () => {
  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'employee')
  const after = await annualBalance(page)
  assert.equal(after.available, before0.available - 2)
  assert.equal(after.used, before0.used + 2)
  assert.equal(after.pending, before0.pending)

  await page.goto(`${server.url}/me/leave`)
  const card = page.getByTestId('balance-annual')
  await card.waitFor()
  await settled(page)
  assert.equal(daysIn(await card.getByTestId('balance-available').innerText()), before0.available - 2)
  assert.equal(daysIn(await card.getByTestId('balance-used').innerText()), before0.used + 2)
  const app = page.getByTestId('leave-application').filter({ hasText: day1 }).first()
  assert.equal(await app.getByTestId('leave-status').innerText(), '已批准')

  // The decision reached the employee as a notification (the approvals tab shows it unread);
  // opening it leads to the approval, now approved.
  await page.goto(`${server.url}/me/notifications`)
  const note = page.getByTestId('notification').filter({ hasText: day1 }).first()
  await note.waitFor()
  await page.getByTestId('tab-approvals').locator('.van-badge').waitFor()
  await note.click()
  await page.waitForURL(/\/me\/approvals\/[0-9a-f-]{36}/)
  await page.waitForFunction(() => document.querySelector('[data-testid=approval-detail-status]')?.textContent?.trim() === '已批准')

  for (const d of [day1, day2]) {
    await page.goto(`${server.url}/me/attendance?month=${d.slice(0, 7)}`)
    const cell = page.locator(`[data-testid=att-day][data-day="${d}"]`)
    await cell.waitFor()
    await settled(page)
    assert.equal(await cell.getAttribute('data-status'), 'leave', `${d} is leave on the calendar`)
    assert.match(await cell.innerText(), /请假/)
  }
  // The day sheet names the leave.
  await page.locator(`[data-testid=att-day][data-day="${day2}"]`).click()
  await page.getByTestId('day-sheet').waitFor()
  assert.match(await page.getByTestId('day-sheet').innerText(), /请假/)
  await screenshot(page, 'time-attendance-phone')
  assert.deepEqual(page.errors(), [])
  await c.close()
})

test('overtime on a statutory holiday is paid, never time off; a punch correction goes to the manager', async () => {
  const c = await context(PHONE)
  const page = await newPage(c)
  await signIn(page, server, 'employee')
  await page.goto(`${server.url}/me/overtime`)
  await page.getByTestId('overtime-apply').click()
  const form = page.getByTestId('overtime-form')
  await form.getByTestId('overtime-date').locator('input').fill('2026-10-01')
  await form.getByTestId('holiday-note').waitFor()
  assert.match(await form.getByTestId('overtime-kind').innerText(), /300%/)
  assert.ok(await form.getByTestId('comp-time-off').evaluate((el) => el.getAttribute('aria-disabled') === 'true' || el.classList.contains('van-radio--disabled')))
  // A rest day in the same block (10-05) may be taken as time off.
  await form.getByTestId('overtime-date').locator('input').fill('2026-10-05')
  await form.getByTestId('holiday-note').waitFor({ state: 'detached' })
  assert.match(await form.getByTestId('overtime-kind').innerText(), /200%/)
  await form.getByTestId('overtime-date').locator('input').fill('2026-10-01')
  await form.getByTestId('overtime-start').locator('input').fill('09:00')
  await form.getByTestId('overtime-end').locator('input').fill('12:00')
  await form.getByTestId('overtime-reason').locator('textarea').fill('国庆值班，保障系统运行')
  await form.getByTestId('overtime-submit').click()
  await form.waitFor({ state: 'hidden' })
  const ot = page.getByTestId('overtime-application').filter({ hasText: '2026-10-01' }).first()
  await ot.waitFor()
  assert.match(await ot.innerText(), /法定节假日加班（300%）/)
  assert.match(await ot.innerText(), /加班费/)

  // 补卡 for a past working day of this month (or last month's last one).
  const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10)
  const days = (await apiCall(page, 'GET', `/me/attendance?month=${today.slice(0, 7)}`)).body.days
  let past = days.filter((d) => d.day < today && d.scheduled_minutes > 0 && d.status !== 'leave').pop()
  if (!past) {
    const prev = new Date(`${today.slice(0, 7)}-01T00:00:00Z`)
    prev.setUTCDate(0)
    const m = prev.toISOString().slice(0, 7)
    past = (await apiCall(page, 'GET', `/me/attendance?month=${m}`)).body.days.filter((d) => d.scheduled_minutes > 0).pop()
  }
  assert.ok(past, 'a past working day to correct')
  await page.goto(`${server.url}/me/attendance?month=${past.day.slice(0, 7)}`)
  await page.locator(`[data-testid=att-day][data-day="${past.day}"]`).click()
  const sheet = page.getByTestId('day-sheet')
  await sheet.getByTestId('open-correction').click()
  await sheet.getByTestId('correction-time').locator('input').fill('08:58')
  await sheet.getByTestId('correction-submit').click()
  await sheet.getByText('请填写补卡原因').waitFor()
  await sheet.getByTestId('correction-reason').locator('textarea').fill('忘记打卡，门禁记录可证明')
  await sheet.getByTestId('correction-submit').click()
  await sheet.waitFor({ state: 'hidden' })
  const mine = await apiCall(page, 'GET', '/punch-corrections')
  assert.ok((mine.body.items ?? mine.body).some((x) => x.date === past.day && x.status === 'pending'), 'the correction is pending approval')
  assert.deepEqual(page.errors(), [])
  await c.close()

  // The manager sees both in 待我审批.
  const mc = await context(PHONE)
  const mp = await newPage(mc)
  await signIn(mp, server, 'manager')
  await mp.goto(`${server.url}/me/approvals`)
  const inbox = mp.getByTestId('approvals-inbox')
  await inbox.getByTestId('approval-item').filter({ hasText: '补卡' }).first().waitFor()
  await inbox.getByTestId('approval-item').filter({ hasText: '加班' }).first().waitFor()
  assert.deepEqual(mp.errors(), [])
  await mc.close()
})

test('every new page at phone and desktop size: no horizontal overflow, no console errors', async () => {
  const overflow = (page) => page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth)
  const mePages = [
    ['/me', 'time-shortcuts'],
    ['/me/clock', 'clock'],
    ['/me/attendance', 'attendance-calendar'],
    ['/me/leave', 'leave-balances'],
    ['/me/leave/apply', 'leave-form'],
    ['/me/overtime', 'overtime-apply'],
    ['/me/approvals?tab=mine', 'approvals-mine'],
    ['/me/notifications', 'read-all'],
  ]
  for (const viewport of [PHONE, DESKTOP]) {
    const tag = viewport === PHONE ? 'phone' : 'desktop'
    const c = await context(viewport)
    const page = await newPage(c)
    await signIn(page, server, 'employee')
    for (const [path, testid] of mePages) {
      await page.goto(`${server.url}${path}`)
      await page.getByTestId(testid).first().waitFor()
      await settled(page)
      assert.ok((await overflow(page)) <= 0, `${tag} ${path}: no horizontal overflow`)
    }
    if (viewport === DESKTOP) await screenshot(page, 'time-notifications-desktop')
    assert.deepEqual(page.errors(), [])
    await c.close()

    // The manager's team calendar (direct reports × days): the approved leave is on it.
    const mc = await context(viewport)
    const mp = await newPage(mc)
    await signIn(mp, server, 'manager')
    await mp.goto(`${server.url}/me/team?month=${day1.slice(0, 7)}`)
    await mp.getByTestId('team-grid').waitFor()
    await settled(mp)
    assert.ok((await mp.locator(`[data-testid=team-cell][data-day="${day1}"][data-status=leave]`).count()) >= 1, 'the leave shows on the team calendar')
    assert.ok((await overflow(mp)) <= 0, `${tag} /me/team: no horizontal overflow`)
    await screenshot(mp, `time-team-${tag}`)
    assert.deepEqual(mp.errors(), [])
    await mc.close()

    // HR console pages.
    const hc = await context(viewport)
    const hp = await newPage(hc)
    await signIn(hp, server, 'hr')
    for (const [path, testid] of [
      ['/hr/calendars', 'calendar-year-grid'],
      ['/hr/shifts', 'shifts-tab'],
      ['/hr/leave-types', viewport === PHONE ? 'leave-types-cards' : 'leave-types-table'],
      ['/hr/attendance-summaries', 'summary-toolbar'],
      ['/hr/team-calendar', 'team-month'],
    ]) {
      await hp.goto(`${server.url}${path}`)
      await hp.getByTestId(testid).first().waitFor()
      await settled(hp)
      assert.ok((await overflow(hp)) <= 0, `${tag} ${path}: no horizontal overflow`)
      if (path === '/hr/calendars') {
        // 2026-10-01 is a statutory holiday (300%), 2026-10-10 a make-up Saturday.
        if (day1.startsWith('2026')) {
          assert.equal(await hp.locator('[data-testid=calendar-day][data-day="2026-10-01"]').getAttribute('data-kind'), 'statutory')
          assert.equal(await hp.locator('[data-testid=calendar-day][data-day="2026-10-10"]').getAttribute('data-kind'), 'makeup')
        }
        await screenshot(hp, `time-calendars-${tag}`)
      }
    }
    // Monthly summaries: compute the leave's month and find the employee's row.
    await hp.goto(`${server.url}/hr/attendance-summaries?month=${day1.slice(0, 7)}`)
    await hp.getByTestId('summary-compute').click()
    await hp.locator(viewport === PHONE ? '[data-testid=summary-cards]' : '[data-testid=summary-table]').waitFor()
    await settled(hp)
    assert.ok((await overflow(hp)) <= 0, `${tag} summaries after compute: no horizontal overflow`)
    await screenshot(hp, `time-summaries-${tag}`)
    assert.deepEqual(hp.errors(), [])
    await hc.close()
  }
})
