// The knowledge base in a real browser (pt-BR, JavaScript on): search from
// the Base de Conhecimento, open an article, vote "Sim" and see the tally
// change without a reload; on Abrir Ticket the article is suggested while
// the Assunto is typed; the staff's editor shows a preview. Screenshots on a
// desktop and a phone: kb-home, kb-search, kb-article, staff-kb-edit.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { openBrowser, screenshot, PHONE } from '../lib/browser.mjs';
import { CLIENT, STAFF } from '../lib/fixtures.mjs';

const PHONE_CONTEXT = { viewport: PHONE, isMobile: true, hasTouch: true };
const HOW_TO = 'Como abrir um ticket de suporte';

let b;

before(async () => {
  b = await openBrowser({ demo: true });
});
after(async () => {
  if (b) await b.close();
});

const url = (p) => b.server.url(p);

function visit(page, p) {
  return page.goto(url(p), { waitUntil: 'networkidle' });
}

async function text(locator) {
  return ((await locator.first().textContent()) || '').replace(/\s+/g, ' ').trim();
}

async function assertFitsPhone(page) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(w <= PHONE.width, `${page.url()} is ${w}px wide on a ${PHONE.width}px phone`);
}

async function searchFor(page, words) {
  await visit(page, '/kb');
  await page.locator('#kb-q').fill(words);
  await Promise.all([page.waitForNavigation(), page.locator('form.kb-search button[type="submit"]').click()]);
  await page.waitForLoadState('networkidle');
}

test('search, open an article and vote without a reload (desktop)', async () => {
  const page = await b.page();
  page.setDefaultTimeout(60000);
  await visit(page, '/kb');
  assert.equal(await text(page.locator('h1')), 'Base de Conhecimento');
  await screenshot(page, 'kb-home-desktop');

  await searchFor(page, 'configuracao email celular');
  assert.equal(new URL(page.url()).pathname, '/kb/search');
  const first = page.locator('.kb-results li').first();
  assert.match(await text(first.locator('h2')), /celular/);
  assert.ok(await page.locator('.kb-results mark').count() > 0, 'the matched words are highlighted');
  await screenshot(page, 'kb-search-desktop');

  await searchFor(page, 'abrir ticket');
  await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: HOW_TO }).click()]);
  await page.waitForLoadState('networkidle');
  assert.equal(await text(page.locator('h1')), HOW_TO);
  const tally = page.locator('[data-kb-tally]');
  assert.equal(await text(tally), '0 Usuários acharam útil (0 Votos)');
  await screenshot(page, 'kb-article-desktop');

  // A mark on the window survives only if the page is not reloaded.
  await page.evaluate(() => { window.kbNoReload = true; });
  const address = page.url();
  await page.getByRole('button', { name: 'Sim' }).click();
  await page.waitForFunction(() => document.querySelector('[data-kb-tally]').textContent.includes('(1 Votos)'));
  assert.equal(await text(tally), '1 Usuários acharam útil (1 Votos)');
  assert.equal(await page.getByRole('button', { name: 'Sim' }).getAttribute('aria-pressed'), 'true');
  assert.equal(await text(page.locator('[data-kb-vote-status]')), 'Obrigado pela sua opinião.');
  assert.equal(page.url(), address);
  assert.equal(await page.evaluate(() => window.kbNoReload), true, 'the page was not reloaded');

  // Changing the vote changes it, it does not add one.
  await page.getByRole('button', { name: 'Não' }).click();
  await page.waitForFunction(() => document.querySelector('[data-kb-tally]').textContent.startsWith('0 '));
  assert.equal(await text(tally), '0 Usuários acharam útil (1 Votos)');
  await page.reload({ waitUntil: 'networkidle' });
  assert.equal(await text(tally), '0 Usuários acharam útil (1 Votos)');
  assert.equal(await page.getByRole('button', { name: 'Não' }).getAttribute('aria-pressed'), 'true');
  b.assertNoConsoleErrors(page);
});

test('the knowledge base fits a phone', async () => {
  const page = await b.page(PHONE_CONTEXT);
  page.setDefaultTimeout(60000);
  await visit(page, '/kb');
  await assertFitsPhone(page);
  await screenshot(page, 'kb-home-phone');
  await searchFor(page, 'outlook');
  await assertFitsPhone(page);
  await screenshot(page, 'kb-search-phone');
  await visit(page, '/kb/article/4');
  await assertFitsPhone(page);
  // The settings table keeps its words whole and scrolls sideways instead.
  const broken = await page.evaluate(() => {
    const split = [];
    for (const cell of document.querySelectorAll('.kb-body th, .kb-body td')) {
      const text = cell.firstChild;
      if (!text || text.nodeType !== Node.TEXT_NODE) continue;
      for (const m of text.data.matchAll(/\S+/g)) {
        const r = document.createRange();
        r.setStart(text, m.index);
        r.setEnd(text, m.index + m[0].length);
        if (r.getClientRects().length > 1) split.push(m[0]);
      }
    }
    return split;
  });
  assert.ok(await page.locator('.kb-body table').count() > 0, 'the article has its table');
  assert.deepEqual(broken, [], 'no word of the table is split over two lines');
  await screenshot(page, 'kb-article-phone');
  b.assertNoConsoleErrors(page);
});

test('Abrir Ticket suggests the article while the Assunto is typed', async () => {
  const page = await b.page();
  page.setDefaultTimeout(60000);
  await visit(page, '/login');
  await page.locator('#email').fill(CLIENT.email);
  await page.locator('#password').fill(CLIENT.password);
  await Promise.all([page.waitForNavigation(), page.locator('main form[action="/login"] button[type="submit"]').click()]);
  await page.waitForLoadState('networkidle');
  await visit(page, '/tickets/new?department=1');
  const box = page.locator('[data-kb-suggest-box]');
  assert.equal(await box.isVisible(), false, 'nothing is suggested before typing');
  await page.locator('#subject').pressSequentially('Como abrir um tic', { delay: 20 });
  const suggestion = page.locator('[data-kb-suggest-list] a', { hasText: HOW_TO });
  await suggestion.waitFor({ state: 'visible' });
  assert.match(await text(box), /^Talvez isto resolva:/);
  assert.match(await suggestion.getAttribute('href'), /^\/kb\/article\/\d+\?from=ticket-form$/);
  // The link follows the Assunto once typing pauses (250 ms): on a slow
  // machine the list may already show from a pause after "Como abrir".
  await page.locator('[data-kb-search-link][href="/kb/search?q=Como%20abrir%20um%20tic"]').waitFor({ state: 'attached' });
  await screenshot(page, 'kb-ticket-form-suggestions-desktop');
  await page.locator('#subject').fill('');
  await page.locator('#subject').dispatchEvent('input');
  await box.waitFor({ state: 'hidden' });
  b.assertNoConsoleErrors(page);
});

test('staff edit an article with a Markdown preview (desktop and phone)', async () => {
  for (const [name, options] of [['desktop', {}], ['phone', PHONE_CONTEXT]]) {
    const page = await b.page(options);
    page.setDefaultTimeout(60000);
    await visit(page, '/staff/login');
    await page.locator('#email').fill(STAFF.email);
    await page.locator('#password').fill(STAFF.password);
    await Promise.all([page.waitForNavigation(), page.locator('main button[type="submit"]').click()]);
    await page.waitForLoadState('networkidle');
    await visit(page, '/staff/kb');
    await Promise.all([page.waitForNavigation(), page.getByRole('link', { name: HOW_TO }).click()]);
    await page.waitForLoadState('networkidle');
    await page.locator('#body').fill('## Novo passo\n\nClique em **Enviar**.');
    await Promise.all([page.waitForNavigation(), page.getByRole('button', { name: 'Pré-visualizar' }).click()]);
    await page.waitForLoadState('networkidle');
    assert.equal(await text(page.locator('.kb-preview h2').nth(1)), 'Novo passo');
    assert.equal(await page.locator('#body').inputValue(), '## Novo passo\n\nClique em **Enviar**.');
    if (name === 'phone') await assertFitsPhone(page);
    await screenshot(page, `staff-kb-edit-${name}`);
    b.assertNoConsoleErrors(page);
  }
});
