// The support manager's pages in a real browser (Chromium, pt-BR): the queue
// with SLA badges in their three colours — green on time, amber past 80% of
// the target, red once breached — and Relatórios with its charts, on a
// desktop and a phone, with screenshots and no console errors.
//
// The server reads its SLA clock 40 minutes ahead (CHAMADO_TEST_CLOCK_OFFSET,
// test-only): with first-response targets of 30 (high), 45 (medium) and 240
// (low) minutes on a 24×7 calendar, three fresh tickets show red, amber and
// green.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { signIn } from '../lib/client.mjs';
import { CLIENT, STAFF, openTicket } from '../lib/fixtures.mjs';
import { staffReply, staffUpdate, uniqueWord } from '../lib/staff.mjs';

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };

let b;
let admin;
const tickets = {};

before(async () => {
  b = await openBrowser({ demo: true, env: { CHAMADO_TEST_CLOCK_OFFSET: String(40 * 60) } });
  admin = await signIn(b.server, STAFF.email, STAFF.password, { staff: true });
  const maria = await signIn(b.server, CLIENT.email, CLIENT.password);
  await admin.get('/staff/admin/hours');
  let r = await admin.post('/staff/admin/hours', { name: 'Plantão 24h', timezone: 'America/Sao_Paulo', always_open: '1', holidays: '' });
  assert.equal(r.status, 303);
  r = await admin.get('/staff/admin/hours');
  const id = /href="\/staff\/admin\/hours\/(\d+)"><strong>Plantão 24h/.exec(r.body)[1];
  r = await admin.post('/staff/admin/sla', {
    cal_1: id, first_1_high: '30', res_1_high: '240', first_1_medium: '45', res_1_medium: '480',
    first_1_low: '240', res_1_low: '960', first_2_medium: '120', res_2_medium: '480',
  });
  assert.equal(r.status, 303);
  for (const [key, priority, subject] of [
    ['red', 'high', 'Site fora do ar desde as 9h'],
    ['amber', 'medium', 'Erro 500 ao enviar formulário'],
    ['green', 'low', 'Dúvida sobre o plano de backup'],
  ]) {
    tickets[key] = (await openTicket(maria, { department: 1, priority, subject: `${subject} ${uniqueWord('S')}` })).number;
  }
  const done = (await openTicket(maria, { department: 2, priority: 'medium', subject: 'Segunda via do boleto' })).number;
  await staffReply(admin, done, 'Enviamos a segunda via.');
  await staffUpdate(admin, done, { status: 'closed' });
});

after(async () => {
  if (b) await b.close();
});

async function staffPage(options = {}) {
  const page = await b.page(options);
  await page.context().addCookies([...admin.cookies].map(([name, value]) => ({ name, value, url: b.server.baseUrl })));
  await admin.get('/staff'); // takes the flash of the last change, so screenshots show none
  return page;
}

async function badgeOf(page, number) {
  const row = page.locator('table.queue-table tr', { has: page.locator(`a[href="/staff/tickets/${number}"]`) });
  const badge = row.locator('span.sla');
  return { cls: await badge.getAttribute('class'), text: (await badge.innerText()).trim() };
}

test('the queue shows each ticket\'s SLA in words and colour, on a desktop and a phone', async () => {
  for (const [name, options] of [['desktop', { viewport: DESKTOP }], ['phone', PHONE_CONTEXT]]) {
    const page = await staffPage(options);
    await page.goto(b.server.url('/staff/tickets?sort=due'));
    const red = await badgeOf(page, tickets.red);
    assert.equal(red.cls, 'sla sla-breached');
    assert.match(red.text, /^vencido há (9|10|11) min úteis$/);
    const amber = await badgeOf(page, tickets.amber);
    assert.equal(amber.cls, 'sla sla-near');
    assert.match(amber.text, /^vence em [4-6] min úteis$/);
    const green = await badgeOf(page, tickets.green);
    assert.equal(green.cls, 'sla sla-ok');
    // 240 − 40 minutes, less the seconds since the ticket opened, to the nearest minute.
    assert.match(green.text, /^vence em 3 h (18|19|20) min úteis$/);
    const breachedBg = await page.locator('span.sla-breached').first().evaluate((e) => getComputedStyle(e).backgroundColor);
    assert.equal(breachedBg, 'rgb(180, 35, 24)', 'red when breached');
    await screenshot(page, `sla-queue-${name}`);
    b.assertNoConsoleErrors(page);
  }
});

test('Relatórios draws its charts beside the tables, on a desktop and a phone', async () => {
  for (const [name, options] of [['desktop', { viewport: DESKTOP }], ['phone', PHONE_CONTEXT]]) {
    const page = await staffPage(options);
    await page.goto(b.server.url('/staff/reports'));
    assert.equal(await page.locator('h1').innerText(), 'Relatórios');
    assert.equal(await page.locator('svg.rchart').count(), 3);
    assert.match(await page.locator('.kpis').innerText(), /Abertos\s+4/);
    await screenshot(page, `sla-reports-${name}`);
    b.assertNoConsoleErrors(page);
  }
});

test('the SLA admin pages render as forms an admin can use on a phone', async () => {
  const page = await staffPage(PHONE_CONTEXT);
  await page.goto(b.server.url('/staff/admin/sla'));
  assert.equal(await page.locator('input[name="first_1_high"]').inputValue(), '30');
  await screenshot(page, 'sla-policies-phone');
  await page.goto(b.server.url('/staff/admin/hours/1'));
  assert.match(await page.locator('#holidays').inputValue(), /Natal/);
  await screenshot(page, 'sla-hours-phone');
  b.assertNoConsoleErrors(page);
});
