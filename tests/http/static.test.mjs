// Static files: caching headers, conditional requests, no way out of static/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rawRequest, stopProblem } from '../lib/server.mjs';

let srv;
before(async () => {
  srv = await startServer();
});
after(async () => {
  if (srv && !srv.exited) await srv.stop();
});

test('a stylesheet is served as text/css with an ETag and Cache-Control', async () => {
  const res = await srv.fetch('/static/css/app.css');
  const body = await res.text();
  assert.equal(res.status, 200);
  assert.match(res.headers.get('content-type') || '', /^text\/css\b/i, `Content-Type: ${res.headers.get('content-type')}`);
  assert.ok(res.headers.get('etag'), 'no ETag header');
  assert.ok(res.headers.get('cache-control'), 'no Cache-Control header');
  assert.ok(body.length > 0, 'app.css is empty');
});

test('a static file requested again with its ETag answers 304 without a body', async () => {
  const first = await srv.fetch('/static/css/app.css');
  await first.arrayBuffer();
  const etag = first.headers.get('etag');
  assert.ok(etag, 'no ETag header');
  const again = await srv.fetch('/static/css/app.css', { headers: { 'If-None-Match': etag } });
  const body = await again.text();
  assert.equal(again.status, 304);
  assert.equal(body, '');
});

test('a static file with a stale ETag is served in full', async () => {
  const res = await srv.fetch('/static/css/app.css', { headers: { 'If-None-Match': '"not-the-etag"' } });
  await res.arrayBuffer();
  assert.equal(res.status, 200);
});

test('a missing static file answers 404', async () => {
  const res = await srv.fetch('/static/css/no-such-file.css');
  await res.arrayBuffer();
  assert.equal(res.status, 404);
});

test('dot-dot paths under /static never serve files from outside static/', async () => {
  const paths = [
    '/static/../meson.build',
    '/static/css/../../meson.build',
    '/static/%2e%2e/meson.build',
    '/static/..%2fmeson.build',
    '/static/%2e%2e%2fmeson.build',
    '/static/..%5cmeson.build',
    '/static//etc/passwd',
    '/static/css/..%2f..%2fsrc/config.c',
  ];
  for (const p of paths) {
    // Raw socket: fetch would normalise the dots away before sending.
    const r = await rawRequest(srv.port, `GET ${p} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`);
    assert.ok(r.status === 404 || r.status === 400, `GET ${p} answered ${r.status}, expected 404 or 400`);
    assert.ok(!r.body.includes("project('chamado'"), `GET ${p} served meson.build`);
    assert.ok(!/root:.*:0:0:/.test(r.body), `GET ${p} served /etc/passwd`);
    assert.ok(!r.body.includes('#include'), `GET ${p} served a source file`);
  }
});

test('the static server exits with code 0 on SIGTERM, with no sanitizer report', async () => {
  const problem = await stopProblem(srv);
  assert.equal(problem, null, problem);
});
