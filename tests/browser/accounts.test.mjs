// Accounts in a real browser: signing in and out as the demo client, and the
// whole "Esqueceu a senha?" path with the email read from a real SMTP server.
// Screenshots of the login, forgot, reset and account pages (desktop and phone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';
import { startSmtpSink } from '../lib/smtp-sink.mjs';

const CLIENT = { email: 'cliente@exemplo.com.br', password: 'cliente123', name: 'Maria Souza' };
const NEW_PASSWORD = 'nova-senha-do-navegador';

let sink;
let b;
let resetPath; // the used reset link's path
const expected404 = []; // URLs that answer 404 on purpose

before(async () => {
  sink = await startSmtpSink();
  b = await openBrowser({
    demo: true,
    env: { CHAMADO_SMTP_URL: sink.url, CHAMADO_MAIL_RETRY_BASE: '1', CHAMADO_MAIL_POLL_MS: '100' },
  });
});
after(async () => {
  if (b) await b.close();
  if (sink) await sink.close();
});

const url = (p) => b.server.url(p);

async function headerText(page) {
  return ((await page.locator('header').first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

async function mainText(page) {
  return ((await page.locator('main').first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

/** Open a page and let its requests (the favicon too) finish before we click away. */
function visit(page, p) {
  return page.goto(p.startsWith('http') ? p : url(p), { waitUntil: 'networkidle' });
}

/** Click something that navigates, and let the new page's requests finish. */
async function clickAndSettle(page, locator) {
  await Promise.all([page.waitForNavigation(), locator.click()]);
  await page.waitForLoadState('networkidle');
}

async function signInWithForm(page, email, password) {
  await visit(page, '/login');
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await clickAndSettle(page, page.locator('main form[action="/login"] button[type="submit"]'));
}

/** Nothing sticks out sideways on a phone. */
async function assertFitsPhone(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${page.url()} is ${w}px wide on a ${PHONE.width}px phone`);
}

test('the login page has email and password fields and a "Esqueceu a senha?" link, on a desktop and on a phone', async () => {
  for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const page = await b.page({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
    const res = await page.goto(url('/login'));
    assert.equal(res.status(), 200);
    assert.ok(await page.getByLabel('E-mail').isVisible(), 'no visible field labelled "E-mail"');
    assert.ok(await page.getByLabel('Senha').isVisible(), 'no visible field labelled "Senha"');
    assert.ok(await page.getByRole('link', { name: 'Esqueceu a senha?' }).isVisible(), 'no visible "Esqueceu a senha?" link');
    if (name === 'phone') await assertFitsPhone(page);
    await screenshot(page, `login-pt-BR-${name}`);
    b.assertNoConsoleErrors(page);
  }
});

test('the demo client signs in with the form, sees the name in the header, and signs out from the account menu', async () => {
  const page = await b.page({ viewport: DESKTOP });
  await signInWithForm(page, CLIENT.email, CLIENT.password);
  assert.notEqual(new URL(page.url()).pathname, '/login', `sign-in failed; main: ${await mainText(page)}`);
  const menu = page.locator('header details.account-menu summary');
  assert.ok(await menu.isVisible(), `no account menu in the header; header: ${await headerText(page)}`);
  assert.equal((await menu.textContent()).trim(), CLIENT.name);
  await menu.click();
  const signOut = page.locator('header form[action="/logout"]').getByRole('button', { name: 'Sair' });
  assert.ok(await signOut.isVisible(), 'the "Sair" button is not visible after opening the account menu');
  await clickAndSettle(page, signOut);
  assert.equal(new URL(page.url()).pathname, '/');
  assert.ok((await mainText(page)).includes('Você saiu da sua conta.'), `no sign-out message; main: ${await mainText(page)}`);
  assert.ok(!(await headerText(page)).includes(CLIENT.name), 'the name is still in the header after signing out');
  assert.ok(await page.locator('header').getByRole('link', { name: 'Entrar' }).isVisible(), 'no "Entrar" link after signing out');
  // The account page now asks to sign in.
  await page.goto(url('/account'));
  assert.equal(new URL(page.url()).pathname, '/login', `after sign-out /account shows ${page.url()}`);
  b.assertNoConsoleErrors(page);
});

test('the account page shows the profile, email and password forms, on a desktop and on a phone', async () => {
  for (const [viewport, name] of [[DESKTOP, 'desktop'], [PHONE, 'phone']]) {
    const page = await b.page({ viewport, ...(name === 'phone' ? { isMobile: true, hasTouch: true } : {}) });
    await signInWithForm(page, CLIENT.email, CLIENT.password);
    const res = await page.goto(url('/account'));
    assert.equal(res.status(), 200);
    assert.ok((await mainText(page)).includes('Minha conta'));
    for (const action of ['/account/profile', '/account/email', '/account/password']) {
      assert.equal(await page.locator(`main form[action="${action}"]`).count(), 1, `no form posting to ${action}`);
    }
    if (name === 'phone') await assertFitsPhone(page);
    await screenshot(page, `account-pt-BR-${name}`);
    b.assertNoConsoleErrors(page);
  }
});

test('forgot password end to end: the link from the email sets a new password that then signs in', async () => {
  const page = await b.page({ viewport: DESKTOP });
  await visit(page, '/login');
  await clickAndSettle(page, page.getByRole('link', { name: 'Esqueceu a senha?' }));
  assert.equal(new URL(page.url()).pathname, '/forgot');
  await screenshot(page, 'forgot-pt-BR-desktop');
  await page.locator('#email').fill(CLIENT.email);
  await clickAndSettle(page, page.getByRole('button', { name: 'Enviar link' }));
  assert.ok((await mainText(page)).includes('Confira sua caixa de entrada.'), `main: ${await mainText(page)}`);
  await screenshot(page, 'forgot-sent-pt-BR-desktop');

  const [mail] = await sink.waitForMessages(1, { to: CLIENT.email });
  const re = new RegExp(`^${b.server.baseUrl.replace(/[.]/g, '\\.')}/reset/[A-Za-z0-9_-]{43}$`);
  const link = mail.links.find((l) => re.test(l));
  assert.ok(link, `no reset link in the email; links: ${mail.links.join(' ')}`);
  resetPath = new URL(link).pathname;

  const res = await page.goto(link);
  assert.equal(res.status(), 200);
  await screenshot(page, 'reset-pt-BR-desktop');
  await page.locator('#password').fill(NEW_PASSWORD);
  await clickAndSettle(page, page.getByRole('button', { name: 'Salvar nova senha' }));
  assert.equal(new URL(page.url()).pathname, '/login', `after saving the page is ${page.url()}`);

  await signInWithForm(page, CLIENT.email, NEW_PASSWORD);
  assert.notEqual(new URL(page.url()).pathname, '/login', `signing in with the new password failed; main: ${await mainText(page)}`);
  assert.equal((await page.locator('header details.account-menu summary').textContent()).trim(), CLIENT.name);
  b.assertNoConsoleErrors(page);
});

test('the forgot and reset pages on a phone fit the screen; a used link shows "Este link não vale mais"', async () => {
  const page = await b.page({ viewport: PHONE, isMobile: true, hasTouch: true });
  await visit(page, '/forgot');
  await assertFitsPhone(page);
  await screenshot(page, 'forgot-pt-BR-phone');
  assert.ok(resetPath, 'no reset link from the previous test');
  // The used link answers 404 on purpose: Chromium logs that as a console error,
  // so it gets a page of its own, left out of the console checks.
  const dead = await b.page({ viewport: PHONE, isMobile: true, hasTouch: true });
  expected404.push(url(resetPath));
  const res = await dead.goto(url(resetPath));
  assert.equal(res.status(), 404, 'the used reset link did not answer 404');
  assert.ok((await mainText(dead)).includes('Este link não vale mais'), `main: ${await mainText(dead)}`);
  await screenshot(dead, 'reset-used-pt-BR-phone');
  // A live link for the phone screenshot of the form.
  const before = sink.messagesTo(CLIENT.email).length;
  await visit(page, '/forgot');
  await page.locator('#email').fill(CLIENT.email);
  await clickAndSettle(page, page.getByRole('button', { name: 'Enviar link' }));
  const list = await sink.waitForMessages(before + 1, { to: CLIENT.email });
  const link = list[list.length - 1].links.find((l) => /\/reset\/[A-Za-z0-9_-]{43}$/.test(l));
  assert.ok(link, 'no reset link in the second email');
  const live = await page.goto(link);
  assert.equal(live.status(), 200);
  assert.ok(await page.locator('#password').isVisible(), 'no visible password field on the reset page');
  await assertFitsPhone(page);
  await screenshot(page, 'reset-pt-BR-phone');
  b.assertNoConsoleErrors(page);
});

test('the pages loaded without console errors or failed requests (apart from the used link\'s intended 404)', () => {
  const errors = b.consoleErrors.filter((e) => !expected404.some((u) => e.startsWith(`${u}: `)));
  assert.deepEqual(errors, [], `browser errors:\n${errors.join('\n')}`);
});

test('the server exits with code 0 on SIGTERM after the browser session', async () => {
  const r = await b.close();
  b = null;
  assert.ok(!r.killed && r.code === 0 && r.signal === null,
    `exit code ${r.code}, signal ${r.signal}\nstderr:\n${r.stderr.split('\n').slice(-30).join('\n')}`);
  assert.doesNotMatch(r.stderr + r.stdout, /AddressSanitizer|LeakSanitizer|UndefinedBehaviorSanitizer|runtime error:/);
});
