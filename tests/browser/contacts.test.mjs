// Client contacts in a real browser (pt-BR): Maria adds a colleague on
// Contatos from Minha conta; the colleague chooses a password through the
// emailed link, signs in and finds Maria's tickets in Meus Tickets.
// Screenshots of the Contatos page and of the contact's Meus Tickets on a
// desktop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { CLIENT, waitForMail } from '../lib/fixtures.mjs';

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };
const COLLEAGUE = { name: 'Rafael Almeida', email: 'rafael.almeida@mariasouza.example', password: 'rafael-senha-123' };
const VIEWER = { name: 'Beatriz Financeiro', email: 'beatriz@mariasouza.example' };
const SUBJECT = 'Certificado SSL expirando';

let b;

before(async () => {
  b = await openBrowser({ demo: true });
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

async function signIn(page, email, password) {
  await visit(page, '/login');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await clickAndSettle(page, page.locator('main form[action="/login"] button[type="submit"]'));
}

async function assertFitsPhone(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${page.url()} is ${w}px wide on a ${PHONE.width}px phone`);
}

/** Opens a ticket through the form, as Maria would. */
async function openTicketAs(page, subject) {
  await visit(page, '/tickets/new?department=1');
  await page.getByLabel(/^Assunto/).fill(subject);
  await page.getByLabel(/^Mensagem/).fill('O aviso de expiração chegou hoje; o site ainda abre.');
  await page.getByRole('button', { name: 'Enviar' }).click();
  await page.waitForFunction(() => /^\/tickets\/\d+$/.test(location.pathname), null, { timeout: 60000 });
  await page.waitForLoadState('networkidle');
}

test('Maria adds contacts on Contatos, reached from Minha conta; the page reads well on a desktop and a phone', async () => {
  const desk = await b.page({ viewport: DESKTOP });
  await signIn(desk, CLIENT.email, CLIENT.password);
  await openTicketAs(desk, SUBJECT);
  await visit(desk, '/account');
  await clickAndSettle(desk, desk.getByRole('link', { name: 'Gerenciar contatos' }));
  assert.equal(new URL(desk.url()).pathname, '/account/contacts');
  assert.equal(await desk.locator('h1').textContent(), 'Contatos');
  await desk.getByLabel('Nome completo').fill(COLLEAGUE.name);
  await desk.getByLabel(/^E-mail/).fill(COLLEAGUE.email);
  assert.ok(await desk.getByLabel('Pode abrir e ver tickets').isChecked());
  await clickAndSettle(desk, desk.getByRole('button', { name: 'Adicionar contato' }));
  assert.match((await desk.locator('.flash').textContent()) || '', /O contato foi adicionado/);
  await desk.getByLabel('Nome completo').fill(VIEWER.name);
  await desk.getByLabel(/^E-mail/).fill(VIEWER.email);
  await desk.locator('#new-tickets').uncheck();
  await clickAndSettle(desk, desk.getByRole('button', { name: 'Adicionar contato' }));
  const list = (await desk.locator('.contact-list').textContent()) || '';
  assert.ok(list.includes(COLLEAGUE.email) && list.includes(VIEWER.email), list);
  assert.match(list, /Convidado: ainda sem senha/);
  await screenshot(desk, 'contacts-desktop');
  const phone = await b.page(PHONE_CONTEXT);
  await signIn(phone, CLIENT.email, CLIENT.password);
  await visit(phone, '/account/contacts');
  await assertFitsPhone(phone);
  await screenshot(phone, 'contacts-phone');
  b.assertNoConsoleErrors(desk);
  b.assertNoConsoleErrors(phone);
});

test('the colleague chooses a password by the emailed link and sees Maria\'s tickets in Meus Tickets', async () => {
  const [mail] = await waitForMail(b.server.dataDir, (m) => m.toAddresses.includes(COLLEAGUE.email) &&
    /\/reset\/[A-Za-z0-9_-]{43}/.test(m.text || ''), { what: 'the set-password link' });
  const resetPath = /\/reset\/[A-Za-z0-9_-]{43}/.exec(mail.text)[0];
  const desk = await b.page({ viewport: DESKTOP });
  await visit(desk, resetPath);
  await desk.locator('#password').fill(COLLEAGUE.password);
  await clickAndSettle(desk, desk.locator('main form button[type="submit"]'));
  await signIn(desk, COLLEAGUE.email, COLLEAGUE.password);
  await visit(desk, '/tickets?status=all');
  assert.match((await desk.locator('main').textContent()) || '', new RegExp(SUBJECT));
  await screenshot(desk, 'contacts-contact-tickets-desktop');
  const phone = await b.page(PHONE_CONTEXT);
  await signIn(phone, COLLEAGUE.email, COLLEAGUE.password);
  await visit(phone, '/tickets?status=all');
  await assertFitsPhone(phone);
  assert.match((await phone.locator('main').textContent()) || '', new RegExp(SUBJECT));
  await screenshot(phone, 'contacts-contact-tickets-phone');
  // Contatos is the owner's alone.
  const r = await phone.goto(url('/account/contacts'));
  assert.equal(r.status(), 404);
  b.assertNoConsoleErrors(desk);
});
