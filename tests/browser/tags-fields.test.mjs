// Tags and custom fields in a real browser (pt-BR): Maria opens a ticket in
// Suporte Técnico and fills its fields (Domínio afetado, Usuário do cPanel);
// the admin tags the ticket from the suggestions box, fills the staff-only
// field and follows a tag to the filtered queue. Screenshots of Abrir
// Ticket with fields, the staff ticket page with tags and fields and the
// queue filtered by a tag, on a desktop and a phone; no console errors, nothing wider than the phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { CLIENT, STAFF } from '../lib/fixtures.mjs';

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };
const SUBJECT = 'Erro 500 no painel depois da migração';

let b;
let number;

before(async () => {
  b = await openBrowser({ demo: true });
});
after(async () => {
  if (b) await b.close();
});

const url = (p) => b.server.url(p);
const visit = (page, p) => page.goto(url(p), { waitUntil: 'networkidle' });

async function clickAndSettle(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
  await page.waitForLoadState('networkidle');
}

async function clientSignIn(page) {
  await visit(page, '/login');
  await page.locator('#email').fill(CLIENT.email);
  await page.locator('#password').fill(CLIENT.password);
  await clickAndSettle(page, page.locator('main form[action="/login"] button[type="submit"]'));
}

async function staffSignIn(page) {
  await visit(page, '/staff/login');
  await page.locator('#email').fill(STAFF.email);
  await page.locator('#password').fill(STAFF.password);
  await clickAndSettle(page, page.locator('main form[action="/staff/login"] button[type="submit"]'));
}

async function assertFitsPhone(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${page.url()} is ${w}px wide on a ${PHONE.width}px phone`);
}

test('Abrir Ticket shows the department\'s fields, labelled, and the ticket keeps their values', async () => {
  const phone = await b.page(PHONE_CONTEXT);
  await clientSignIn(phone);
  await visit(phone, '/tickets/new?department=1');
  await phone.getByLabel('Domínio afetado').fill('mariasouza.com.br');
  await phone.getByLabel('Usuário do cPanel').fill('mariasou');
  assert.equal(await phone.getByLabel('Servidor').count(), 0, 'the staff-only field is on the client form');
  await assertFitsPhone(phone);
  await phone.getByLabel('Domínio afetado').scrollIntoViewIfNeeded();
  await screenshot(phone, 'tags-fields-open-ticket-phone');

  const desk = await b.page({ viewport: DESKTOP });
  await clientSignIn(desk);
  await visit(desk, '/tickets/new?department=1');
  await desk.getByLabel(/^Assunto/).fill(SUBJECT);
  await desk.getByLabel('Domínio afetado').fill('mariasouza.com.br');
  await desk.getByLabel('Usuário do cPanel').fill('mariasou');
  await desk.getByLabel(/^Mensagem/).fill('Depois da migração o painel mostra erro 500 ao abrir o gerenciador de arquivos.');
  await screenshot(desk, 'tags-fields-open-ticket-desktop');
  await desk.getByRole('button', { name: 'Enviar' }).click();
  await desk.waitForFunction(() => /^\/tickets\/\d+$/.test(location.pathname), null, { timeout: 60000 });
  await desk.waitForLoadState('networkidle');
  number = /\/tickets\/(\d+)$/.exec(new URL(desk.url()).pathname)[1];
  const summary = (await desk.locator('dl.summary').textContent()) || '';
  assert.match(summary, /Domínio afetado\s*mariasouza\.com\.br/);
  assert.match(summary, /Usuário do cPanel\s*mariasou/);
  b.assertNoConsoleErrors(desk);
  b.assertNoConsoleErrors(phone);
});

test('the admin tags the ticket, fills the staff-only field and follows a tag to the queue', async () => {
  assert.ok(number, 'no ticket from the previous test');
  const desk = await b.page({ viewport: DESKTOP });
  await staffSignIn(desk);
  await visit(desk, `/staff/tickets/${number}`);
  const tags = desk.locator('section#tags');
  await tags.getByLabel('Adicionar etiqueta').fill('Painel, migração');
  await clickAndSettle(desk, tags.getByRole('button', { name: 'Adicionar' }));
  await desk.locator('section#tags').getByLabel('Adicionar etiqueta').fill('erro 500');
  await clickAndSettle(desk, desk.locator('section#tags').getByRole('button', { name: 'Adicionar' }));
  const shown = await desk.locator('section#tags a.tag').allTextContents();
  assert.deepEqual(shown, ['erro-500', 'migração', 'painel']);
  const fields = desk.locator('section#fields');
  assert.equal(await fields.getByLabel('Domínio afetado').inputValue(), 'mariasouza.com.br');
  await fields.getByLabel(/^Servidor/).fill('web07.nuvemazul.internal');
  await clickAndSettle(desk, fields.getByRole('button', { name: 'Salvar campos' }));
  assert.equal(await desk.locator('section#fields').getByLabel(/^Servidor/).inputValue(), 'web07.nuvemazul.internal');
  await screenshot(desk, 'tags-fields-staff-ticket-desktop');

  const phone = await b.page(PHONE_CONTEXT);
  await staffSignIn(phone);
  await visit(phone, `/staff/tickets/${number}`);
  await assertFitsPhone(phone);
  await phone.locator('section#tags').scrollIntoViewIfNeeded();
  await screenshot(phone, 'tags-fields-staff-ticket-phone');

  await clickAndSettle(desk, desk.locator('section#tags a.tag', { hasText: 'painel' }));
  assert.match(new URL(desk.url()).search, /tag=painel/);
  assert.equal(await desk.locator(`table.queue-table a[href="/staff/tickets/${number}"]`).count() > 0, true);
  assert.equal(await desk.getByLabel('Etiqueta', { exact: true }).inputValue(), 'painel');
  await screenshot(desk, 'tags-fields-queue-by-tag-desktop');
  await visit(phone, '/staff/tickets?tag=painel');
  await assertFitsPhone(phone);
  await screenshot(phone, 'tags-fields-queue-by-tag-phone');
  await visit(desk, '/staff/tags');
  assert.match((await desk.locator('main').textContent()) || '', /painel\s*1/);
  await screenshot(desk, 'tags-fields-tags-page-desktop');
  b.assertNoConsoleErrors(desk);
  b.assertNoConsoleErrors(phone);
});
