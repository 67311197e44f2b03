// The forms besides sign-in that cost work or send email are throttled like
// sign-in, per address and per account: /reset (made-up or dead links and
// refused passwords), /forgot (every request) and /register (every attempt).
// Past the limit they answer 429 with Retry-After and a page that says how
// long to wait; sign-in and the other pages keep working.
//
// Each test runs its own server: every request here comes from 127.0.0.1, so
// one test's throttling would otherwise hold back the next.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import { startServer, stopProblem } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { mainText, describeResponse, uniqueEmail } from '../lib/accounts.mjs';
import { CLIENT, waitForMail } from '../lib/fixtures.mjs';

const DEAD_LINK = 'Este link não vale mais';
const TOO_MANY = /Muitas tentativas\. Tente novamente em \d+ minutos?\./;

async function withServer(fn) {
  const s = await startServer({ demo: true });
  try {
    await fn(s);
  } finally {
    const problem = await stopProblem(s);
    assert.equal(problem, null, problem);
  }
}

/** A made-up link in the shape of a real one (43 URL-safe characters). */
function madeUpToken() {
  return crypto.randomBytes(32).toString('base64url');
}

/** Posts until the answer is not `expected`; returns [tries, lastResponse]. */
async function postUntilRefused(post, expected, limit = 100) {
  for (let i = 0; i < limit; i++) {
    const r = await post(i);
    if (r.status !== expected) return [i, r];
  }
  throw new Error(`still ${expected} after ${limit} tries: no throttle`);
}

function assertThrottled(r, what) {
  assert.equal(r.status, 429, `${what}: ${describeResponse(r)}`);
  const retry = Number(r.res.headers.get('retry-after'));
  assert.ok(retry > 0 && retry <= 15 * 60, `${what}: Retry-After ${r.res.headers.get('retry-after')}`);
  assert.match(mainText(r.body), TOO_MANY, `${what}: the page does not say how long to wait`);
}

test('made-up reset links answer 404 "Este link não vale mais"; after many from one address /reset answers 429 "Muitas tentativas", and sign-in still works', async () => {
  await withServer(async (s) => {
    const c = new Client(s);
    await c.get('/forgot');
    const [tries, refused] = await postUntilRefused(async (i) => {
      const r = await c.post(`/reset/${madeUpToken()}`, { password: 'uma-senha-longa' });
      if (r.status === 404) assert.ok(mainText(r.body).includes(DEAD_LINK), `try ${i}: ${describeResponse(r)}`);
      return r;
    }, 404);
    assert.ok(tries >= 5, `throttled after only ${tries} made-up links`);
    assertThrottled(refused, `made-up link #${tries + 1}`);
    // Other pages and sign-in have counters of their own.
    assert.equal((await s.fetch('/healthz')).status, 200);
    await signIn(s, CLIENT.email, CLIENT.password);
  });
});

test('a real reset link refuses too-short passwords with 422, then answers 429 after five, even with a good password', async () => {
  await withServer(async (s) => {
    const c = new Client(s);
    await c.get('/forgot');
    assert.equal((await c.post('/forgot', { email: CLIENT.email })).status, 200);
    const [mail] = await waitForMail(s.dataDir, (m) => (m.header('to') || '').includes(CLIENT.email), { what: 'the reset email' });
    const link = mail.links.find((l) => /\/reset\/[A-Za-z0-9_-]{43}$/.test(l));
    assert.ok(link, `no reset link in the email: ${mail.links.join(' ')}`);
    const path = new URL(link).pathname;
    const [tries, refused] = await postUntilRefused(async () => c.post(path, { password: 'curta' }), 422);
    assert.ok(tries >= 3, `throttled after only ${tries} refused passwords`);
    assertThrottled(refused, 'a short password past the limit');
    const good = await c.post(path, { password: 'uma-senha-longa' });
    assertThrottled(good, 'a good password on a throttled link');
    // The password did not change.
    await signIn(s, CLIENT.email, CLIENT.password);
  });
});

test('/forgot for one address answers "Confira sua caixa de entrada." until the limit, then 429 "Muitas tentativas"; another address is still served', async () => {
  await withServer(async (s) => {
    const c = new Client(s);
    await c.get('/forgot');
    const [tries, refused] = await postUntilRefused(async () => c.post('/forgot', { email: 'ninguem@exemplo.com.br' }), 200);
    assert.ok(tries >= 5, `throttled after only ${tries} requests`);
    assertThrottled(refused, 'a /forgot request past the limit');
    const other = await c.post('/forgot', { email: 'outra.pessoa@exemplo.com.br' });
    assert.equal(other.status, 200, `another address: ${describeResponse(other)}`);
    assert.ok(mainText(other.body).includes('Confira sua caixa de entrada.'), describeResponse(other));
  });
});

test('/register for one address answers 422 to bad tries, then 429 "Muitas tentativas" even with a good form', async () => {
  await withServer(async (s) => {
    const c = new Client(s);
    await c.get('/register');
    const email = uniqueEmail('registro');
    const [tries, refused] = await postUntilRefused(async () =>
      c.post('/register', { name: 'Joana', email, password: 'curta' }), 422);
    assert.ok(tries >= 3, `throttled after only ${tries} tries`);
    assertThrottled(refused, 'a registration past the limit');
    const good = await c.post('/register', { name: 'Joana', email, password: 'uma-senha-boa' });
    assertThrottled(good, 'a good registration for a throttled address');
    // Nothing was created: that address cannot sign in.
    const login = new Client(s);
    await login.get('/login');
    assert.equal((await login.post('/login', { email, password: 'uma-senha-boa' })).status, 422);
  });
});
