// The staff's search in a real browser (pt-BR): a ticket whose reply says
// "configuração" is found by typing "configuracao" (no accent) in the
// queue's search box, on a desktop and on a phone. Screenshots of the queue
// with the result.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { signIn as httpSignIn } from '../lib/client.mjs';
import { CLIENT, STAFF, openTicket } from '../lib/fixtures.mjs';
import { uniqueWord, staffReply } from '../lib/staff.mjs';

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };
const TAIL = uniqueWord('').toLowerCase();
const SUBJECT = 'E-mails não chegam no Outlook';

let b;
let number;

before(async () => {
  b = await openBrowser({ demo: true });
  const maria = await httpSignIn(b.server, CLIENT.email, CLIENT.password);
  number = (await openTicket(maria, { subject: SUBJECT, message: 'Desde ontem nenhum e-mail chega.' })).number;
  const admin = await httpSignIn(b.server, STAFF.email, STAFF.password, { staff: true });
  await openTicket(maria, { subject: 'Outro assunto sem relação' });
  const r = await staffReply(admin, number, `Revise a configuração${TAIL} da conta: porta 587 com STARTTLS.`);
  assert.equal(r.status, 303);
});

after(async () => {
  if (b) await b.close();
});

const url = (p) => b.server.url(p);

async function staffSignIn(page) {
  page.setDefaultTimeout(60000);
  await page.goto(url('/staff/login'), { waitUntil: 'load' });
  await page.locator('#email').fill(STAFF.email);
  await page.locator('#password').fill(STAFF.password);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }),
    page.locator('main form[action="/staff/login"] button[type="submit"]').click()]);
}

async function searchFor(page, words) {
  await page.goto(url('/staff/tickets'), { waitUntil: 'load' });
  await page.getByLabel('Pesquisar', { exact: true }).fill(words);
  await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.getByRole('button', { name: 'Filtrar' }).click()]);
  assert.equal(new URL(page.url()).searchParams.get('q'), words);
}

test('typing a word of a reply without its accent finds the ticket, on a desktop and a phone', async () => {
  for (const [name, options] of [['desktop', { viewport: DESKTOP }], ['phone', PHONE_CONTEXT]]) {
    const page = await b.page(options);
    await staffSignIn(page);
    await searchFor(page, `configuracao${TAIL}`);
    const rows = page.locator('table.queue-table tbody tr');
    assert.equal(await rows.count(), 1, `${name}: one ticket found`);
    assert.match((await rows.first().textContent()) || '', /E-mails não chegam no Outlook/);
    if (name === 'phone') {
      const w = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(w <= PHONE.width, `the queue is ${w}px wide on a ${PHONE.width}px phone`);
    }
    await screenshot(page, `staff-search-${name}`);
    b.assertNoConsoleErrors(page);
  }
});
