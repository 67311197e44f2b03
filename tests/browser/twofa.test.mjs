// Two-factor sign-in in a real browser, without JavaScript on our side: a
// client turns it on from Minha conta (the QR code drawn by the server, the
// code typed from what an authenticator app would show, computed here), keeps
// the recovery codes, signs out and signs in again through the code step.
// Screenshots of the set-up page, the recovery codes, the code step and the
// account's security sections, on a desktop and a phone.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { runCli } from '../lib/server.mjs';
import { totp, stepAt } from '../lib/totp.mjs';

const USER = { email: 'dois.fatores@exemplo.com.br', password: 'senha-do-navegador', name: 'Joana Prado' };
const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };

let b;
before(async () => {
  b = await openBrowser({ demo: true });
  const r = await runCli(['user', 'add', '--client', '--email', USER.email, '--name', USER.name,
    '--password-stdin', '--db', b.server.dbUrl], { input: `${USER.password}\n` });
  assert.equal(r.code, 0, r.stderr);
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

async function mainText(page) {
  return ((await page.locator('main').first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

async function assertFitsPhone(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${page.url()} is ${w}px wide on a ${PHONE.width}px phone`);
}

async function signInWithPassword(page) {
  await visit(page, '/login');
  await page.getByLabel('E-mail').fill(USER.email);
  await page.getByLabel('Senha').fill(USER.password);
  await clickAndSettle(page, page.locator('main form[action="/login"] button[type="submit"]'));
}

/** The QR code is drawn, square, large enough to scan, and inside the window's width. */
async function assertQrVisible(page, viewport) {
  const qr = page.getByRole('img', { name: 'QR code para o aplicativo autenticador' });
  assert.ok(await qr.isVisible(), 'the QR code is not visible');
  const box = await qr.boundingBox();
  assert.ok(box.width >= 150 && Math.abs(box.width - box.height) < 2, `QR code box ${JSON.stringify(box)}`);
  assert.ok(box.x >= 0 && box.x + box.width <= viewport.width, `QR code sticks out: ${JSON.stringify(box)}`);
}

test('a client turns two-factor sign-in on from Minha conta and signs in with a code, on a desktop and on a phone', async () => {
  const page = await b.page({ viewport: DESKTOP });
  await signInWithPassword(page);
  await visit(page, '/account');
  await screenshot(page, 'twofa-account-off-desktop');
  await clickAndSettle(page, page.getByRole('link', { name: 'Ativar a verificação em duas etapas' }));
  assert.equal(new URL(page.url()).pathname, '/account/2fa');
  await assertQrVisible(page, DESKTOP);
  const secret = (await page.locator('.secret code').textContent()).replace(/\s+/g, '');
  assert.match(secret, /^[A-Z2-7]{32}$/);
  await screenshot(page, 'twofa-setup-desktop');

  // The same set-up page on a phone (same account, same secret).
  const phone = await b.page(PHONE_CONTEXT);
  await signInWithPassword(phone);
  await visit(phone, '/account/2fa');
  await assertQrVisible(phone, PHONE);
  await assertFitsPhone(phone);
  assert.equal((await phone.locator('.secret code').textContent()).replace(/\s+/g, ''), secret);
  await screenshot(phone, 'twofa-setup-phone');

  // A wrong code first: the error sits under the field.
  await page.getByLabel('Código de seis dígitos').fill('000000' === totp(secret) ? '111111' : '000000');
  await clickAndSettle(page, page.getByRole('button', { name: 'Ativar' }));
  assert.match(await mainText(page), /código não está certo/);
  assert.equal(await page.getByLabel('Código de seis dígitos').getAttribute('aria-invalid'), 'true');
  await assertQrVisible(page, DESKTOP);

  const step = stepAt();
  await page.getByLabel('Código de seis dígitos').fill(totp(secret, step));
  await clickAndSettle(page, page.getByRole('button', { name: 'Ativar' }));
  assert.match(await mainText(page), /Guarde seus códigos de recuperação/);
  const codes = await page.locator('.recovery-codes code').allTextContents();
  assert.equal(codes.length, 10);
  await screenshot(page, 'twofa-recovery-codes-desktop');
  await clickAndSettle(page, page.getByRole('link', { name: 'Guardei meus códigos' }));
  assert.match(await mainText(page), /Ativada/);
  await screenshot(page, 'twofa-account-on-desktop');

  // Sign out, then in again: the password leads to the code step.
  await page.locator('details.account-menu summary').click();
  await clickAndSettle(page, page.getByRole('button', { name: 'Sair' }));
  await signInWithPassword(page);
  assert.equal(new URL(page.url()).pathname, '/login/code');
  assert.ok(await page.getByLabel('Código').isVisible());
  await screenshot(page, 'twofa-code-step-desktop');
  await page.getByLabel('Código').fill(totp(secret, step + 1));
  await clickAndSettle(page, page.getByRole('button', { name: 'Verificar' }));
  assert.equal(new URL(page.url()).pathname, '/tickets', `after the code: ${await mainText(page)}`);

  // On the phone: sign out there, and in again with a recovery code.
  const phone2 = await b.page(PHONE_CONTEXT);
  await signInWithPassword(phone2);
  assert.equal(new URL(phone2.url()).pathname, '/login/code');
  await assertFitsPhone(phone2);
  await screenshot(phone2, 'twofa-code-step-phone');
  await phone2.getByLabel('Código').fill(codes[0]);
  await clickAndSettle(phone2, phone2.getByRole('button', { name: 'Verificar' }));
  assert.equal(new URL(phone2.url()).pathname, '/tickets');
  await visit(phone2, '/account');
  await assertFitsPhone(phone2);
  assert.match(await mainText(phone2), /Sessões ativas/);
  await phone2.locator('#sessions').scrollIntoViewIfNeeded();
  await screenshot(phone2, 'twofa-account-sessions-phone');
  // The wrong code's 422 is the one error the browser may report.
  const unexpected = b.consoleErrors.filter((e) => !/\/account\/2fa: console error: .*status of 422/.test(e));
  assert.deepEqual(unexpected, [], 'browser errors');
});

test('an admin requires two-factor sign-in for staff from Segurança de acesso, and is led to set it up first', async () => {
  const page = await b.page({ viewport: DESKTOP });
  await visit(page, '/staff/login');
  await page.getByLabel('E-mail').fill('admin@exemplo.com.br');
  await page.getByLabel('Senha').fill('admin1234');
  await clickAndSettle(page, page.locator('main form[action="/staff/login"] button[type="submit"]'));
  await clickAndSettle(page, page.locator('header a.who'));
  assert.equal(new URL(page.url()).pathname, '/staff/account');
  assert.match(await mainText(page), /Sessões ativas/);
  await screenshot(page, 'twofa-staff-account-desktop');

  await visit(page, '/staff/admin/security');
  await page.getByLabel('Exigir a verificação em duas etapas de toda a equipe').check();
  await screenshot(page, 'twofa-admin-security-desktop');
  await clickAndSettle(page, page.getByRole('button', { name: 'Salvar' }));
  // Any staff page now leads to the set-up, with the reason on top.
  assert.equal(new URL(page.url()).pathname, '/staff/account/2fa');
  assert.match(await mainText(page), /Seu administrador exige/);
  await screenshot(page, 'twofa-staff-setup-required-desktop');
  const secret = (await page.locator('.secret code').textContent()).replace(/\s+/g, '');
  await page.getByLabel('Código de seis dígitos').fill(totp(secret));
  await clickAndSettle(page, page.getByRole('button', { name: 'Ativar' }));
  await clickAndSettle(page, page.getByRole('link', { name: 'Guardei meus códigos' }));
  assert.equal(new URL(page.url()).pathname, '/staff');

  // The audit log shows the sign-in and the settings change, on a desktop and a phone.
  await visit(page, '/staff/admin/audit');
  const log = await mainText(page);
  assert.match(log, /Configurações alteradas/);
  // Settings are named by their field's label, not their key (twofa_require_staff).
  assert.match(log, /Exigir a verificação em duas etapas de toda a equipe:\s*(0\s*)?→ 1/);
  assert.doesNotMatch(log, /twofa_require_staff/);
  assert.match(log, /Entrou/);
  await screenshot(page, 'audit-log-desktop');
  const phone = await b.page(PHONE_CONTEXT);
  await visit(phone, '/staff/login');
  await phone.getByLabel('E-mail').fill('admin@exemplo.com.br');
  await phone.getByLabel('Senha').fill('admin1234');
  await clickAndSettle(phone, phone.locator('main form[action="/staff/login"] button[type="submit"]'));
  await phone.getByLabel('Código').fill(totp(secret, stepAt() + 1));
  await clickAndSettle(phone, phone.getByRole('button', { name: 'Verificar' }));
  await visit(phone, '/staff/admin/audit');
  await assertFitsPhone(phone);
  await screenshot(phone, 'audit-log-phone');
});
