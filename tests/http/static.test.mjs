// Static files: caching headers, conditional requests, no way out of static/.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import zlib from 'node:zlib';
import { startServer, rawRequest, stopProblem, ROOT } from '../lib/server.mjs';

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

/** GET path with the given request headers; the body's bytes as sent (never decompressed). */
function getRaw(path, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port: srv.port, path, headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

test('stylesheets and scripts go Brotli- or gzip-compressed as the browser accepts, with Vary, and decode to the file', async () => {
  const file = fs.readFileSync(path.join(ROOT, 'static/css/app.css'));
  const plain = await getRaw('/static/css/app.css');
  assert.equal(plain.status, 200);
  assert.equal(plain.headers['content-encoding'], undefined, 'no Accept-Encoding: sent as it is');
  assert.deepEqual(plain.body, file);
  assert.equal(plain.headers.vary, 'Accept-Encoding');

  const br = await getRaw('/static/css/app.css', { 'Accept-Encoding': 'gzip, deflate, br' });
  assert.equal(br.headers['content-encoding'], 'br');
  assert.equal(br.headers.vary, 'Accept-Encoding');
  assert.ok(br.body.length < file.length / 3, `Brotli: ${br.body.length} of ${file.length} bytes`);
  assert.deepEqual(zlib.brotliDecompressSync(br.body), file);

  const gz = await getRaw('/static/css/app.css', { 'Accept-Encoding': 'gzip;q=1.0, br;q=0' });
  assert.equal(gz.headers['content-encoding'], 'gzip', 'br;q=0 refuses Brotli');
  assert.deepEqual(zlib.gunzipSync(gz.body), file);
  assert.notEqual(gz.headers.etag, br.headers.etag, 'each encoding its own strong ETag');
  assert.notEqual(gz.headers.etag, plain.headers.etag);

  const again = await getRaw('/static/css/app.css', { 'Accept-Encoding': 'gzip', 'If-None-Match': gz.headers.etag });
  assert.equal(again.status, 304);

  const svg = await getRaw('/static/img/favicon.svg', { 'Accept-Encoding': 'gzip, br' });
  assert.equal(svg.status, 200);
  assert.deepEqual(svg.headers['content-encoding'] === undefined ? svg.body
    : (svg.headers['content-encoding'] === 'br' ? zlib.brotliDecompressSync(svg.body) : zlib.gunzipSync(svg.body)),
  fs.readFileSync(path.join(ROOT, 'static/img/favicon.svg')));
});

test('pages link static files by a URL with the hash of their bytes, cached for a year; the bare URL for an hour', async () => {
  const page = await (await srv.fetch('/login')).text();
  const m = /href="(\/static\/css\/app\.css\?v=([0-9a-f]{16}))"/.exec(page);
  assert.ok(m, 'the page links app.css with ?v=<hash>');
  const versioned = await getRaw(m[1]);
  assert.equal(versioned.status, 200);
  assert.equal(versioned.headers['cache-control'], 'public, max-age=31536000, immutable');
  const bare = await getRaw('/static/css/app.css');
  assert.equal(bare.headers['cache-control'], 'public, max-age=3600');
  const stale = await getRaw('/static/css/app.css?v=0000000000000000');
  assert.equal(stale.status, 200, 'an old version is still served, the current bytes');
  assert.equal(stale.headers['cache-control'], 'public, max-age=3600', 'but not cached for a year');
});

test('the static server exits with code 0 on SIGTERM, with no sanitizer report', async () => {
  const problem = await stopProblem(srv);
  assert.equal(problem, null, problem);
});

