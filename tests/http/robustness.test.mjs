// Hostile and broken requests: oversized bodies, truncated uploads, bad
// multipart, malformed request lines. The server answers 4xx or closes, and
// keeps serving everyone else.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, rawRequest, stopProblem } from '../lib/server.mjs';

const MAX_BODY = 65536;

let srv;
before(async () => {
  srv = await startServer({ env: { CHAMADO_MAX_BODY: String(MAX_BODY) } });
});
after(async () => {
  if (srv && !srv.exited) await srv.stop();
});

async function assertStillServing(after) {
  const died = () => `the server died after ${after}: ${JSON.stringify(srv.exited)}\nstderr tail:\n${srv.stderr.slice(-3000)}`;
  assert.equal(srv.exited, null, srv.exited && died());
  let res;
  try {
    res = await srv.fetch('/healthz', { signal: AbortSignal.timeout(8000) });
    await res.arrayBuffer();
  } catch (e) {
    await new Promise((r) => setTimeout(r, 300));
    if (srv.exited) assert.fail(died());
    assert.fail(`GET /healthz after ${after} failed: ${e.cause?.code || e.cause?.message || e.message}`);
  }
  assert.equal(res.status, 200, `GET /healthz after ${after}`);
}

function describe(r) {
  return `status ${r.status}, closed ${r.closed}, timed out ${r.timedOut}, error ${r.error}, ` +
    `first bytes ${JSON.stringify(r.text.slice(0, 120))}`;
}

test('a body over CHAMADO_MAX_BODY answers 413 and the server keeps serving', async () => {
  const size = 1024 * 1024;
  const head = 'POST /lang HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Type: application/x-www-form-urlencoded\r\n' +
    `Content-Length: ${size}\r\n\r\n`;
  const chunk = Buffer.alloc(64 * 1024, 'a');
  const parts = [head, ...Array.from({ length: size / chunk.length }, () => chunk)];
  const r = await rawRequest(srv.port, parts, { timeoutMs: 60000, gapMs: 2, stopOnResponse: true });
  assert.equal(r.status, 413, describe(r));
  await assertStillServing('an oversized body');
});

test('a chunked body over CHAMADO_MAX_BODY is refused and the server keeps serving', async () => {
  const head = 'POST /lang HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Type: application/x-www-form-urlencoded\r\nTransfer-Encoding: chunked\r\n\r\n';
  const chunk = Buffer.concat([Buffer.from('10000\r\n'), Buffer.alloc(0x10000, 'a'), Buffer.from('\r\n')]);
  const parts = [head, ...Array.from({ length: 16 }, () => chunk), '0\r\n\r\n'];
  const r = await rawRequest(srv.port, parts, { timeoutMs: 60000, gapMs: 2, stopOnResponse: true });
  assert.ok(r.status === 413 || (r.status === null && r.closed), `expected 413 or a closed connection: ${describe(r)}`);
  await assertStillServing('an oversized chunked body');
});

test('a client that announces a big body and sends a few bytes does not block the server', async () => {
  const head = 'POST /lang HTTP/1.1\r\nHost: 127.0.0.1\r\n' +
    'Content-Type: application/x-www-form-urlencoded\r\nContent-Length: 1000000\r\n\r\nlang=en';
  // Keep that connection open while another client is served (10 s, longer
  // than /healthz may take on a busy machine, 8 s).
  const stalled = rawRequest(srv.port, head, { timeoutMs: 10000 });
  await new Promise((r) => setTimeout(r, 200));
  await assertStillServing('a stalled upload (while it is still open)');
  await stalled;
  // And once the stalled client went away.
  await assertStillServing('a stalled upload closed by the client');
});

test('multipart with a boundary and a garbage body answers 400', async () => {
  const res = await srv.fetch('/lang', {
    method: 'POST',
    headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' },
    body: Buffer.from('this is not multipart at all\r\n\x00\xff\xfe--xy\r\n--', 'latin1'),
  });
  await res.arrayBuffer();
  assert.equal(res.status, 400);
  await assertStillServing('a garbage multipart body');
});

test('multipart without a boundary answers 400', async () => {
  const res = await srv.fetch('/lang', {
    method: 'POST',
    headers: { 'Content-Type': 'multipart/form-data' },
    body: '--xyz\r\nContent-Disposition: form-data; name="lang"\r\n\r\nen\r\n--xyz--\r\n',
  });
  await res.arrayBuffer();
  assert.equal(res.status, 400);
  await assertStillServing('multipart without a boundary');
});

test('a truncated multipart body does not get a 5xx and the server keeps serving', async () => {
  const res = await srv.fetch('/lang', {
    method: 'POST',
    headers: { 'Content-Type': 'multipart/form-data; boundary=xyz' },
    body: '--xyz\r\nContent-Disposition: form-data; name="lang"\r\n\r\nen',
  });
  await res.arrayBuffer();
  assert.ok(res.status < 500, `answered ${res.status}`);
  await assertStillServing('a truncated multipart body');
});

const malformed = [
  ['a garbage request line', 'GARBAGE GARBAGE GARBAGE GARBAGE\r\n\r\n'],
  ['a header over 16 KB', `GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`],
  ['a NUL byte in the path', 'GET /a\x00b HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
  ['a 10 000-segment path', `GET ${'/a'.repeat(10000)} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n`],
  ['invalid percent-encoding', 'GET /%zz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
  ['a percent-encoded NUL', 'GET /static/css/app.css%00.html HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n'],
  ['a negative Content-Length', 'POST /lang HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: -5\r\n\r\n'],
  ['an absurd Content-Length', 'POST /lang HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: 99999999999999999999999\r\n\r\n'],
];

for (const [what, bytes] of malformed) {
  test(`${what} gets a 4xx or a closed connection and the server keeps serving`, async () => {
    const r = await rawRequest(srv.port, bytes, { timeoutMs: 20000, stopOnResponse: true });
    if (r.status !== null) {
      assert.ok(r.status >= 400 && r.status < 500, `expected a 4xx: ${describe(r)}`);
    } else {
      assert.ok(r.closed, `neither an answer nor a close within 20 s: ${describe(r)}`);
    }
    await assertStillServing(what);
  });
}

test('the server exits with code 0 on SIGTERM after the hostile requests, with no sanitizer report', async () => {
  const problem = await stopProblem(srv);
  assert.equal(problem, null, problem);
});
