// Escalonamentos in a real browser (Chromium, pt-BR), with JavaScript off
// as some admins browse: the admin fills the form of a new rule and saves
// it, sees the rules listed with their conditions and actions on a desktop
// and a phone (screenshots in build/screenshots), and every field of the
// form has its label.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { signIn } from '../lib/client.mjs';
import { STAFF } from '../lib/fixtures.mjs';

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };

let b;
let admin;

before(async () => {
  b = await openBrowser({ demo: true });
  admin = await signIn(b.server, STAFF.email, STAFF.password, { staff: true });
  // A second rule, switched off, so the list shows both states.
  await admin.get('/staff/admin/escalations/new');
  const r = await admin.post('/staff/admin/escalations', {
    name: 'Aviso 30 min antes da primeira resposta', condition: 'first_soon', minutes: '30',
    department: '1', priority: 'high', notify_assignee: '1', notify_department: '1',
  });
  assert.equal(r.status, 303);
  const list = await admin.get('/staff/admin/escalations');
  const id = /href="\/staff\/admin\/escalations\/(\d+)"/.exec(list.body)[1];
  assert.equal((await admin.post(`/staff/admin/escalations/${id}/enabled`, { enabled: '0' })).status, 303);
});

after(async () => {
  if (b) await b.close();
});

async function staffPage(options = {}) {
  const page = await b.page({ javaScriptEnabled: false, ...options });
  await page.context().addCookies([...admin.cookies].map(([name, value]) => ({ name, value, url: b.server.baseUrl })));
  await admin.get('/staff'); // takes the flash of the last change, so screenshots show none
  return page;
}

test('without JavaScript the admin writes a rule in the form, every field labelled, and it is saved', async () => {
  const page = await staffPage({ viewport: DESKTOP });
  await page.goto(b.server.url('/staff/admin/escalations/new'));
  assert.equal(await page.locator('h1').innerText(), 'Nova regra de escalonamento');
  // Every control a person fills has a label (for=id, or a label around it).
  const unlabelled = await page.locator('form.escalation-form').evaluate((form) =>
    [...form.querySelectorAll('input:not([type="hidden"]), select, textarea')]
      .filter((el) => !(el.labels && el.labels.length) && !el.getAttribute('aria-label'))
      .map((el) => el.name));
  assert.deepEqual(unlabelled, []);
  await screenshot(page, 'escalation-form-desktop');

  await page.getByLabel('Nome').fill('Resolução vencida');
  await page.getByLabel('Condição').selectOption('resolve_breached');
  await page.getByLabel('Só no departamento').selectOption({ label: 'Financeiro' });
  await page.getByLabel('Enviar email à equipe do departamento').check();
  await page.getByLabel('Prioridade', { exact: true }).selectOption('step');
  await page.getByLabel('Nota interna').fill('Escalonado: resolução vencida.');
  await Promise.all([page.waitForURL(/\/staff\/admin\/escalations$/), page.getByRole('button', { name: 'Salvar' }).click()]);
  assert.equal(await page.locator('.flash').innerText(), 'Alterações salvas.');
  b.assertNoConsoleErrors(page);
});

test('the rules page lists each rule in words, on a desktop and a phone', async () => {
  for (const [name, options] of [['desktop', { viewport: DESKTOP }], ['phone', PHONE_CONTEXT]]) {
    const page = await staffPage(options);
    await page.goto(b.server.url('/staff/admin/escalations'));
    assert.equal(await page.locator('h1').innerText(), 'Escalonamentos');
    const rows = page.locator('table.escalation-rules tbody tr');
    assert.equal(await rows.count(), 2);
    const on = rows.filter({ hasText: 'Resolução vencida' }).first();
    assert.match(await on.innerText(), /Financeiro/);
    assert.match(await on.innerText(), /Subir a prioridade um nível/);
    assert.match(await on.innerText(), /Ativa/);
    const off = rows.filter({ hasText: 'Aviso 30 min' });
    assert.match(await off.innerText(), /30 min úteis antes do vencimento da primeira resposta/);
    assert.match(await off.innerText(), /Desativada/);
    // The page fits the screen: nothing scrolls sideways on a phone.
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `the page is ${overflow}px wider than the ${name} screen`);
    await screenshot(page, `escalations-${name}`);
    b.assertNoConsoleErrors(page);
  }
  const phone = await staffPage(PHONE_CONTEXT);
  await phone.goto(b.server.url('/staff/admin/escalations/new'));
  await screenshot(phone, 'escalation-form-phone');
  b.assertNoConsoleErrors(phone);
});
