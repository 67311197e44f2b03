// Browser helpers: Debian's Chromium driven by playwright-core (installed in
// tests/browser/node_modules; never downloads a browser).
//
//   const b = await openBrowser();                 // server + browser
//   const page = await b.page({ viewport: PHONE }); // console errors collected
//   ...; b.assertNoConsoleErrors(page); await b.close();
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { ROOT, startServer } from './server.mjs';

const require = createRequire(path.join(ROOT, 'tests', 'browser', 'package.json'));

export const DESKTOP = { width: 1280, height: 900 };
export const PHONE = { width: 390, height: 844 };

// Site isolation and the features a test never meets (translation, hints,
// the media router, the back-forward cache) are off: one page of one site at
// a time needs none of them, and they cost Chromium a fifth of its CPU.
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync',
  '--disable-site-isolation-trials', '--disable-extensions', '--mute-audio',
  '--disable-features=site-per-process,IsolateOrigins,Translate,OptimizationHints,MediaRouter,BackForwardCache',
];

export const SCREENSHOT_DIR = path.resolve(ROOT, process.env.SCREENSHOT_DIR || 'build/screenshots');

// Debian's Chromium headless shell: the same engine without the browser's
// own user interface, which in a full Chromium cost more than half of the
// browser tests' CPU. CHROMIUM_BIN picks another build (e.g. /usr/bin/chromium).
const HEADLESS_SHELL = '/usr/lib/chromium/chromium-headless-shell';

export function chromiumPath() {
  if (process.env.CHROMIUM_BIN) return process.env.CHROMIUM_BIN;
  if (fs.existsSync(HEADLESS_SHELL)) return HEADLESS_SHELL;
  throw new Error(`${HEADLESS_SHELL} is missing: run scripts/install-deps --test (package chromium-headless-shell)`);
}

export async function launchChromium() {
  let chromium;
  try {
    ({ chromium } = require('playwright-core'));
  } catch (e) {
    throw new Error(`playwright-core is not installed: run "npm install" in tests/browser (or scripts/install-deps)\n${e.message}`);
  }
  return chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
}

/** Save a full-page screenshot as SCREENSHOT_DIR/name.png and return the path. */
export async function screenshot(page, name) {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const file = path.join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/**
 * Start a chamado server (serverOptions as for startServer) and Chromium.
 * Returns {server, browser, page(contextOptions), consoleErrors, assertNoConsoleErrors(), close()}.
 * close() stops both and returns the server's stop() result.
 */
export async function openBrowser(serverOptions = {}) {
  const server = await startServer(serverOptions);
  let browser;
  try {
    browser = await launchChromium();
  } catch (e) {
    await server.stop();
    throw e;
  }
  const consoleErrors = [];
  const pageErrors = new WeakMap();
  const contexts = [];
  return {
    server,
    browser,
    consoleErrors,
    /** A page in a fresh context (locale pt-BR, desktop size unless told). */
    async page(contextOptions = {}) {
      const context = await browser.newContext({ locale: 'pt-BR', viewport: DESKTOP, ...contextOptions });
      // Actions and waits fail after 60 s, not Playwright's 30: on a busy
      // machine Chromium and the sanitizer build are slow, never wrong.
      context.setDefaultTimeout(60000);
      contexts.push(context);
      const page = await context.newPage();
      const errors = [];
      pageErrors.set(page, errors);
      const note = (m) => { errors.push(m); consoleErrors.push(m); };
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return;
        const where = msg.location()?.url;
        note(`${page.url()}: console error: ${msg.text()}${where ? ` (${where})` : ''}`);
      });
      page.on('pageerror', (err) => note(`${page.url()}: page error: ${err.message}`));
      // A request the browser itself cancelled because the page moved on
      // (net::ERR_ABORTED, e.g. the favicon during a click) is no server fault.
      page.on('requestfailed', (req) => {
        const why = req.failure()?.errorText || '';
        if (why === 'net::ERR_ABORTED') return;
        note(`${page.url()}: request failed: ${req.url()} ${why}`);
      });
      page.on('response', (res) => {
        if (res.status() >= 400 && res.request().resourceType() !== 'document') {
          note(`${page.url()}: ${res.status()} for ${res.url()}`);
        }
      });
      return page;
    },
    /** Throw when the page (or, without one, any page so far) logged an error. */
    assertNoConsoleErrors(page) {
      const errors = page ? pageErrors.get(page) || [] : consoleErrors;
      if (errors.length) throw new Error(`browser errors:\n${errors.join('\n')}`);
    },
    async close() {
      for (const c of contexts) await c.close().catch(() => {});
      await browser.close().catch(() => {});
      return server.stop();
    },
  };
}
