// The home page in a real browser: the menu in both languages, the language
// switcher, the phone menu behind <details>, screenshots for a human to look at.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, DESKTOP, PHONE } from '../lib/browser.mjs';

const PT_MENU = ['Área do Cliente', 'Abrir Ticket', 'Meus Tickets de Suporte', 'Base de Conhecimento'];
const EN_MENU = ['Client Area', 'Open Ticket', 'My Support Tickets', 'Knowledgebase'];

let b;
before(async () => {
  b = await openBrowser();
});
after(async () => {
  if (b) await b.close();
});

async function assertMenu(page, items) {
  const text = await page.locator('header').first().textContent();
  for (const item of items) assert.ok(text.includes(item), `header has no "${item}"; header text: ${text.replace(/\s+/g, ' ').trim()}`);
}

async function visibleCount(locator) {
  let n = 0;
  for (const l of await locator.all()) if (await l.isVisible()) n++;
  return n;
}

test('the home page shows the pt-BR menu on a desktop', async () => {
  const page = await b.page({ viewport: DESKTOP });
  const res = await page.goto(b.server.url('/'));
  assert.equal(res.status(), 200);
  assert.equal(await page.locator('html').getAttribute('lang'), 'pt-BR');
  assert.ok((await page.title()).trim().length > 0, 'empty <title>');
  await assertMenu(page, PT_MENU);
  const link = page.locator('header').getByRole('link', { name: 'Abrir Ticket' });
  assert.ok(await visibleCount(link) >= 1, 'the "Abrir Ticket" menu link is not visible on a desktop');
  await screenshot(page, 'home-pt-BR-desktop');
  b.assertNoConsoleErrors(page);
});

test('on a phone the menu folds behind a details button that opens without JavaScript', async () => {
  const page = await b.page({ viewport: PHONE, javaScriptEnabled: false, isMobile: true, hasTouch: true });
  const res = await page.goto(b.server.url('/'));
  assert.equal(res.status(), 200);
  const summary = page.locator('header details > summary').first();
  assert.ok(await summary.isVisible(), 'no visible <details><summary> menu button in the header on a phone');
  const kb = page.locator('header').getByRole('link', { name: 'Base de Conhecimento' });
  assert.equal(await visibleCount(kb), 0, 'the menu is already open on a phone before the button is pressed');
  await screenshot(page, 'home-pt-BR-phone');
  await summary.click();
  assert.ok(await visibleCount(kb) >= 1, 'the menu did not open when the button was pressed (without JavaScript)');
  await assertMenu(page, PT_MENU);
  await screenshot(page, 'home-pt-BR-phone-menu');
  // Nothing sticks out sideways at 390 px.
  const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth).catch(() => null);
  if (scrollWidth !== null) assert.ok(scrollWidth <= PHONE.width, `the page is ${scrollWidth}px wide on a ${PHONE.width}px phone`);
  b.assertNoConsoleErrors(page);
});

test('the English button switches the page and the menu to English, and it sticks', async () => {
  const page = await b.page({ viewport: DESKTOP });
  await page.goto(b.server.url('/'));
  const button = page.locator('form[action$="/lang"]').getByRole('button', { name: 'English' }).first();
  assert.ok(await button.isVisible(), 'no visible "English" button in a POST /lang form');
  await Promise.all([page.waitForNavigation(), button.click()]);
  await page.waitForSelector('html[lang="en"]', { state: 'attached', timeout: 60000 });
  assert.equal(new URL(page.url()).pathname, '/', `after switching, the page is ${page.url()}`);
  await assertMenu(page, EN_MENU);
  await screenshot(page, 'home-en-desktop');
  await page.reload();
  assert.equal(await page.locator('html').getAttribute('lang'), 'en', 'English did not stick after a reload');
  b.assertNoConsoleErrors(page);
});

test('the pages loaded without console errors or failed requests', () => {
  b.assertNoConsoleErrors();
});

test('the server exits with code 0 on SIGTERM after the browser session', async () => {
  const r = await b.close();
  b = null;
  assert.ok(!r.killed && r.code === 0 && r.signal === null,
    `exit code ${r.code}, signal ${r.signal}\nstderr:\n${r.stderr.split('\n').slice(-30).join('\n')}`);
  assert.doesNotMatch(r.stderr, /AddressSanitizer|LeakSanitizer|runtime error:/);
});
