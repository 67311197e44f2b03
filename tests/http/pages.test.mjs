// The public pages: health check, the home page layout, languages, errors.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import zlib from 'node:zlib';
import { startServer, rawRequest, stopProblem, waitFor } from '../lib/server.mjs';
import { Client } from '../lib/client.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  if (srv && !srv.exited) await srv.stop();
});

async function get(path, headers = {}) {
  const res = await srv.fetch(path, { headers });
  return { res, body: await res.text() };
}

function htmlLang(body) {
  return /<html[^>]*\blang="([^"]*)"/i.exec(body)?.[1];
}

function assertHtmlSecurityHeaders(res, what) {
  assert.equal(res.headers.get('x-content-type-options'), 'nosniff', `${what}: X-Content-Type-Options`);
  assert.ok(res.headers.get('content-security-policy'), `${what}: no Content-Security-Policy header`);
}

const PT_MENU = ['Área do Cliente', 'Abrir Ticket', 'Meus Tickets de Suporte', 'Base de Conhecimento'];
const EN_MENU = ['Client Area', 'Open Ticket', 'My Support Tickets', 'Knowledgebase'];

function assertMenu(body, items) {
  for (const item of items) assert.ok(body.includes(item), `menu text "${item}" missing from the page`);
}

test('GET /healthz answers 200 with JSON status ok', async () => {
  const { res, body } = await get('/healthz');
  assert.equal(res.status, 200);
  let json;
  assert.doesNotThrow(() => { json = JSON.parse(body); }, `body is not JSON: ${body.slice(0, 200)}`);
  assert.equal(json.status, 'ok');
});

test('the home page is a pt-BR HTML page with the landmarks and the client menu', async () => {
  const { res, body } = await get('/');
  assert.equal(res.status, 200);
  assert.equal((res.headers.get('content-type') || '').toLowerCase().replace(/\s+/g, ''), 'text/html;charset=utf-8',
    `Content-Type was ${res.headers.get('content-type')}`);
  assert.equal(htmlLang(body), 'pt-BR');
  for (const tag of ['header', 'nav', 'main']) assert.match(body, new RegExp(`<${tag}[\\s>]`, 'i'), `no <${tag}>`);
  assert.equal((body.match(/<h1[\s>]/gi) || []).length, 1, 'there must be exactly one <h1>');
  const title = /<title>([\s\S]*?)<\/title>/i.exec(body)?.[1] ?? '';
  assert.ok(title.trim().length > 0, 'the <title> is missing or empty');
  assertMenu(body, PT_MENU);
  assertHtmlSecurityHeaders(res, 'GET /');
});

test('Accept-Language en-US gives the English page', async () => {
  const { res, body } = await get('/', { 'Accept-Language': 'en-US,en;q=0.9' });
  assert.equal(res.status, 200);
  assert.equal(htmlLang(body), 'en');
  assertMenu(body, EN_MENU);
});

test('an unsupported Accept-Language falls back to pt-BR', async () => {
  const { body } = await get('/', { 'Accept-Language': 'fr' });
  assert.equal(htmlLang(body), 'pt-BR');
  assertMenu(body, PT_MENU);
});

// The switcher is a form like any other: it carries the page's CSRF token.
async function postLang(form, headers = {}) {
  const c = new Client(srv);
  await c.get('/');
  const r = await c.post('/lang', form, headers);
  return { status: r.status, headers: r.res.headers, arrayBuffer: async () => new ArrayBuffer(0), text: async () => r.body };
}

test('POST /lang sets a lang cookie and redirects with 303 to next', async () => {
  const res = await postLang({ lang: 'en', next: '/' });
  await res.arrayBuffer();
  assert.equal(res.status, 303);
  assert.equal(res.headers.get('location'), '/');
  const cookies = res.headers.getSetCookie();
  const c = cookies.find((s) => /^lang=en(;|$)/.test(s));
  assert.ok(c, `no "Set-Cookie: lang=en; ..." header, got ${JSON.stringify(cookies)}`);
  assert.match(c, /;\s*Path=\/(;|$)/i, `cookie without Path=/: ${c}`);
  assert.match(c, /;\s*SameSite=Lax(;|$)/i, `cookie without SameSite=Lax: ${c}`);
});

test('the lang cookie wins over Accept-Language', async () => {
  const { body } = await get('/', { Cookie: 'lang=en', 'Accept-Language': 'pt-BR' });
  assert.equal(htmlLang(body), 'en');
  assertMenu(body, EN_MENU);
});

test('POST /lang does not redirect to another site', async () => {
  for (const next of ['//evil.example', 'http://evil.example', 'https://evil.example/x']) {
    const res = await postLang({ lang: 'en', next });
    await res.arrayBuffer();
    assert.equal(res.status, 303, `next=${next}`);
    assert.equal(res.headers.get('location'), '/', `next=${next} must redirect to /`);
  }
});

test('POST /lang does not redirect to a backslash path browsers read as another host', async () => {
  const res = await postLang({ lang: 'en', next: '/\\evil.example' });
  await res.arrayBuffer();
  assert.equal(res.status, 303);
  const loc = res.headers.get('location') || '';
  assert.ok(!/^[\\/]{2}/.test(loc) && !/\\/.test(loc), `next=/\\evil.example gave Location: ${loc}`);
});

test('POST /lang with an unknown language answers 400', async () => {
  const res = await postLang({ lang: 'xx', next: '/' });
  await res.arrayBuffer();
  assert.equal(res.status, 400);
});

test('an unknown path answers a 404 page inside the layout, in the visitor language', async () => {
  const pt = await get('/nope');
  assert.equal(pt.res.status, 404);
  assert.match(pt.body, /<main[\s>]/i, 'the 404 page has no <main>');
  assert.ok(pt.body.includes('Página não encontrada'), 'pt-BR 404 text missing');
  assertHtmlSecurityHeaders(pt.res, 'GET /nope');
  const en = await get('/nope', { 'Accept-Language': 'en' });
  assert.equal(en.res.status, 404);
  assert.ok(en.body.includes('Page not found'), 'English 404 text missing');
});

test('a POST to a GET-only route answers 405 with Allow', async () => {
  const res = await srv.fetch('/healthz', { method: 'POST', body: '' });
  await res.arrayBuffer();
  assert.equal(res.status, 405);
  assert.match(res.headers.get('allow') || '', /\bGET\b/, `Allow header: ${res.headers.get('allow')}`);
});

/** GET path from server on port with the given headers; the body's bytes as sent (never decompressed). */
function getRaw(port, path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('pages go Zstandard-, Brotli- or gzip-compressed as the browser accepts, with Vary, and decode to the same page', async () => {
  // The same cookie each time: the same CSRF token, so the same bytes.
  const first = await getRaw(srv.port, '/kb');
  const cookie = (first.headers['set-cookie'] || []).map((c) => c.split(';')[0]).join('; ');
  const plain = await getRaw(srv.port, '/kb', { Cookie: cookie });
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: sent as it is');
  assert.match(plain.headers.vary || '', /Accept-Encoding/, 'a cache must keep the forms apart');
  assert.ok(plain.body.toString().includes('</html>'), 'the plain page is whole');

  // A current Chrome or Firefox: Zstandard, the fastest to make (its round trip is
  // checked in tests/unit/http/server_test.c; this Node has no decoder for it).
  const zs = await getRaw(srv.port, '/kb', { Cookie: cookie, 'Accept-Encoding': 'gzip, deflate, br, zstd' });
  assert.equal(zs.headers['content-encoding'], 'zstd');
  assert.match(zs.headers.vary || '', /Accept-Encoding/);
  assert.deepEqual([...zs.body.subarray(0, 4)], [0x28, 0xb5, 0x2f, 0xfd], 'a Zstandard frame');
  // Smaller, not by a set share: the page's own indentation is gone since
  // the templates lose it at load time, and with it much of what compressed.
  assert.ok(zs.body.length < plain.body.length, `Zstandard: ${zs.body.length} of ${plain.body.length} bytes`);

  const br = await getRaw(srv.port, '/kb', { Cookie: cookie, 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br', 'as Safari asks');
  assert.match(br.headers.vary || '', /Accept-Encoding/);
  assert.ok(br.body.length < plain.body.length, `Brotli: ${br.body.length} of ${plain.body.length} bytes`);
  assert.deepEqual(zlib.brotliDecompressSync(br.body), plain.body);

  const gz = await getRaw(srv.port, '/kb', { Cookie: cookie, 'Accept-Encoding': 'gzip, br;q=0' });
  assert.equal(gz.headers['content-encoding'], 'gzip', 'br;q=0 refuses Brotli');
  assert.deepEqual(zlib.gunzipSync(gz.body), plain.body);

  const refused = await getRaw(srv.port, '/kb', { Cookie: cookie, 'Accept-Encoding': 'br;q=0, gzip;q=0' });
  assert.equal(refused.headers['content-encoding'], undefined);
  assert.deepEqual(refused.body, plain.body);

  // A body that fits in one packet goes as it is.
  const small = await getRaw(srv.port, '/healthz', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(small.status, 200);
  assert.equal(small.headers['content-encoding'], undefined, `/healthz (${small.body.length} bytes) compressed`);
  assert.ok(JSON.parse(small.body.toString()).status, 'the small body is the plain JSON');
});

test('CHAMADO_COMPRESS_MIN=0 sends every page as it is', async () => {
  const other = await startServer({ env: { CHAMADO_COMPRESS_MIN: '0' } });
  try {
    const res = await getRaw(other.port, '/kb', { 'Accept-Encoding': 'gzip, br' });
    assert.equal(res.status, 200);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.ok(res.body.toString().includes('</html>'));
  } finally {
    await other.stop();
  }
});

test('HEAD / answers 200 without a body', async () => {
  const r = await rawRequest(srv.port, 'HEAD / HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n');
  assert.equal(r.status, 200, `response: ${r.text.slice(0, 300)}`);
  assert.equal(r.body, '', `HEAD response carried ${r.body.length} body bytes`);
});

test('the access log has a line for GET / with status and duration in microseconds', async () => {
  const res = await srv.fetch('/?log-probe=1');
  await res.arrayBuffer();
  const res2 = await srv.fetch('/');
  await res2.arrayBuffer();
  const line = await waitFor(
    () => srv.stderr.split('\n').find((l) => /GET \/ 200\b/.test(l) && /\d+(\.\d+)?\s?us\b/.test(l)),
    { timeoutMs: 30000, message: 'a "GET / 200 ... NNus" access log line' },
  ).catch(() => null);
  assert.ok(line, `no access log line like "GET / 200 ... 123us" on stderr; stderr tail:\n${srv.stderr.split('\n').slice(-10).join('\n')}`);
});

test('the server exits with code 0 within 5 s of SIGTERM, with no sanitizer report', async () => {
  const problem = await stopProblem(srv);
  assert.equal(problem, null, problem);
});
