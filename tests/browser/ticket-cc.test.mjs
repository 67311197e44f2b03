// CC contacts and the access link in a real browser (pt-BR): Maria copies a
// colleague on Abrir Ticket, sees the CC list on her ticket, adds one more;
// the colleague opens the link of their email in a browser that never signed
// in and answers there. Screenshots of the ticket page and the access-link
// page on a desktop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { CLIENT, waitForMail } from '../lib/fixtures.mjs';

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };
const COLLEAGUE = 'joao.dev@agencia.example';
const SUBJECT = 'Loja fora do ar depois da atualização';

let b;
let desk;
let ticketPath;
let link;

before(async () => {
  b = await openBrowser({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
});
after(async () => {
  if (b) await b.close();
});

const url = (p) => b.server.url(p);
const visit = (page, p) => page.goto(p.startsWith('http') ? p : url(p), { waitUntil: 'networkidle' });

async function clickAndSettle(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
  await page.waitForLoadState('networkidle');
}

async function signIn(page) {
  await visit(page, '/login');
  await page.locator('#email').fill(CLIENT.email);
  await page.locator('#password').fill(CLIENT.password);
  await clickAndSettle(page, page.locator('main form[action="/login"] button[type="submit"]'));
}

/** The upload forms post by XHR (upload.js) and then show the answer: wait until the address says so. */
async function settledAt(page, pathRe, searchRe = /.*/) {
  await page.waitForFunction(([p, q]) => new RegExp(p).test(location.pathname) && new RegExp(q).test(location.search),
    [pathRe.source, searchRe.source], { timeout: 60000 });
  await page.waitForSelector('main', { state: 'attached' });
  await page.waitForLoadState('networkidle');
}

async function assertFitsPhone(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${page.url()} is ${w}px wide on a ${PHONE.width}px phone`);
}

test('Maria copies a colleague on Abrir Ticket and sees the CC list on her ticket', async () => {
  desk = await b.page({ viewport: DESKTOP });
  await signIn(desk);
  await visit(desk, '/tickets/new?department=1');
  await desk.getByLabel(/^Assunto/).fill(SUBJECT);
  await desk.getByLabel(/^Mensagem/).fill('Depois da atualização do plugin a loja mostra uma página em branco.');
  await desk.getByLabel(/^Com cópia \(CC\)/).fill(COLLEAGUE);
  await desk.getByRole('button', { name: 'Enviar' }).click();
  await settledAt(desk, /^\/tickets\/\d+$/);
  ticketPath = new URL(desk.url()).pathname;
  const section = desk.locator('section#ccs');
  assert.match((await section.textContent()) || '', new RegExp(COLLEAGUE.replace(/\./g, '\\.')));
  await desk.getByLabel('Adicionar um endereço').fill('financeiro@loja.example');
  await clickAndSettle(desk, section.getByRole('button', { name: 'Adicionar' }));
  assert.match((await desk.locator('section#ccs').textContent()) || '', /financeiro@loja\.example/);
  await screenshot(desk, 'ticket-cc-client-desktop');
  const phone = await b.page(PHONE_CONTEXT);
  await signIn(phone);
  await visit(phone, ticketPath);
  await assertFitsPhone(phone);
  await phone.locator('section#ccs').scrollIntoViewIfNeeded();
  await screenshot(phone, 'ticket-cc-client-phone');
  b.assertNoConsoleErrors(desk);
  b.assertNoConsoleErrors(phone);
});

test('the colleague opens the link of their email without an account and answers there', async () => {
  const number = ticketPath.split('/').pop();
  const [mail] = await waitForMail(b.server.dataDir, (m) => m.toAddresses.includes(COLLEAGUE),
    { what: `the CC email to ${COLLEAGUE}` });
  link = new RegExp(`https?://[^\\s]+/t/${number}/[A-Za-z0-9_-]{43}`).exec(mail.text || '')?.[0];
  assert.ok(link, `no access link in:\n${mail.text}`);
  const guest = await b.page({ viewport: DESKTOP });
  await visit(guest, link);
  assert.equal(await guest.locator('h1').count(), 1);
  assert.match((await guest.locator('h1').textContent()) || '', new RegExp(SUBJECT));
  await screenshot(guest, 'ticket-access-desktop');
  await guest.getByLabel(/^Mensagem/).fill('Sou o desenvolvedor da loja: já desativei o plugin.');
  await guest.getByRole('button', { name: 'Enviar' }).click();
  await settledAt(guest, /^\/t\/\d+\/[A-Za-z0-9_-]{43}$/, /sent=1/);
  assert.match((await guest.locator('main').textContent()) || '', /Sua resposta foi enviada\./);
  assert.match((await guest.locator('main').textContent()) || '', /já desativei o plugin/);
  const cookies = await guest.context().cookies();
  assert.ok(!cookies.some((c) => c.name === 'sid'), 'the link signed the guest in');
  const phone = await b.page(PHONE_CONTEXT);
  await visit(phone, link);
  await assertFitsPhone(phone);
  await screenshot(phone, 'ticket-access-phone');
  b.assertNoConsoleErrors(guest);
  b.assertNoConsoleErrors(phone);
});
