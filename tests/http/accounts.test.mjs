// Accounts and sessions against the real binary: sign-in, throttling, CSRF,
// session fixation, sign-out, client/staff separation, registration, and the
// account page (language, password, email change through the .eml outbox).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopProblem, runCli, describeRun, waitFor } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import {
  addUser, uniqueEmail, setCookie, mainText, inputValue, headerName, describeResponse,
} from '../lib/accounts.mjs';
import { emlMessages } from '../lib/smtp-sink.mjs';

const CLIENT = { email: 'cliente@exemplo.com.br', password: 'cliente123', name: 'Maria Souza' };
const STAFF = { email: 'admin@exemplo.com.br', password: 'admin1234', name: 'Ana Lima' };
const BAD_LOGIN = 'E-mail ou senha incorretos.';
const CSRF_TITLE = 'Recarregue a página e tente de novo';
const TOKEN = /^[A-Za-z0-9_-]{43}$/;
// Where a client sign-in without next lands (the contract of the accounts issue: "/").
const SIGNED_IN_HOME = '/tickets';

let s;
before(async () => {
  s = await startServer({ demo: true });
});
after(async () => {
  if (s) await s.stop();
});

/** A client that has loaded `page` (so it holds that page's CSRF token). */
async function visitor(page = '/login') {
  const c = new Client(s);
  await c.get(page);
  return c;
}

/** GET /account: 200 when the client is signed in, 303 to the login page when not. */
async function accountStatus(c) {
  const r = await c.get('/account');
  return r;
}

function assertSignedOut(r, what) {
  assert.equal(r.status, 303, `${what}: GET /account should redirect to sign-in; ${describeResponse(r)}`);
  assert.equal(r.location, '/login?next=/account', `${what}: ${describeResponse(r)}`);
}

function assertSignedIn(r, what) {
  assert.equal(r.status, 200, `${what}: GET /account should open the account page; ${describeResponse(r)}`);
}

// ---- sign-in -------------------------------------------------------------------

test('an anonymous visitor gets a csrf cookie and the login form carries the same token', async () => {
  const c = new Client(s);
  const r = await c.get('/login');
  assert.equal(r.status, 200);
  const cookie = setCookie(r.res, 'csrf');
  assert.ok(cookie, `GET /login set no csrf cookie; Set-Cookie: ${r.res.headers.getSetCookie().join(' | ')}`);
  assert.match(cookie.value, TOKEN);
  assert.equal(inputValue(r.body, 'csrf'), cookie.value, 'the hidden csrf field differs from the csrf cookie');
  assert.equal(inputValue(r.body, 'email'), '', 'the email field of a fresh login form is not empty');
});

test('the demo client signs in: 303 to / (no next), a sid cookie with Path=/, Max-Age, HttpOnly and SameSite=Lax, and the header shows the name', async () => {
  const c = await visitor();
  const r = await c.post('/login', { email: CLIENT.email, password: CLIENT.password });
  assert.equal(r.status, 303, describeResponse(r));
  const sid = setCookie(r.res, 'sid');
  assert.ok(sid, `no sid cookie; Set-Cookie: ${r.res.headers.getSetCookie().join(' | ')}`);
  assert.match(sid.value, TOKEN);
  assert.equal(sid.attrs.path, '/', sid.line);
  assert.match(String(sid.attrs['max-age']), /^[1-9]\d*$/, sid.line);
  assert.equal(sid.attrs.httponly, true, sid.line);
  assert.equal(String(sid.attrs.samesite).toLowerCase(), 'lax', sid.line);
  const home = await c.get('/');
  assert.equal(headerName(home.body), CLIENT.name, 'the header does not show the signed-in name');
  assertSignedIn(await accountStatus(c), 'after sign-in');
  // Last, so that the checks above run whatever the landing page is.
  assert.equal(r.location, SIGNED_IN_HOME, `a sign-in without next redirected to ${r.location}`);
});

test('after sign-in the client goes to a local next path; an off-site next goes where a sign-in without next goes', async () => {
  const plain = await (await visitor()).post('/login', { email: CLIENT.email, password: CLIENT.password });
  assert.equal(plain.status, 303, describeResponse(plain));
  const landing = plain.location;
  assert.match(String(landing), /^\/(?![\/\\])/, `a sign-in without next redirected off-site: ${landing}`);
  for (const [next, want] of [['/account', '/account'], ['//evil.example/x', landing], ['https://evil.example/', landing],
    ['/\\evil.example', landing], ['javascript:alert(1)', landing]]) {
    const c = await visitor(`/login?next=${encodeURIComponent(next)}`);
    const r = await c.post('/login', { email: CLIENT.email, password: CLIENT.password, next });
    assert.equal(r.status, 303, `next=${next}: ${describeResponse(r)}`);
    assert.equal(r.location, want, `next=${next} redirected to ${r.location}`);
  }
});

test('a wrong password and an unknown email both answer 422 "E-mail ou senha incorretos." with the email kept and no session', async () => {
  for (const email of [CLIENT.email, uniqueEmail('nobody')]) {
    const c = await visitor();
    const r = await c.post('/login', { email, password: 'not-the-password' });
    assert.equal(r.status, 422, `${email}: ${describeResponse(r)}`);
    assert.ok(mainText(r.body).includes(BAD_LOGIN), `${email}: no "${BAD_LOGIN}"; ${describeResponse(r)}`);
    assert.equal(inputValue(r.body, 'email'), email, `${email}: the typed email was not kept in the field`);
    assert.equal(setCookie(r.res, 'sid'), null, `${email}: a sid cookie was set on a failed sign-in`);
  }
});

test('five failed sign-ins lock the account: the sixth, even with the right password, answers 429 with Retry-After, while other accounts still sign in', async () => {
  const u = await addUser(s, { name: 'Conta Travada' });
  const c = await visitor();
  for (let i = 1; i <= 5; i++) {
    const r = await c.post('/login', { email: u.email, password: `wrong-${i}` });
    assert.equal(r.status, 422, `failed attempt ${i}: ${describeResponse(r)}`);
  }
  const r = await c.post('/login', { email: u.email, password: u.password });
  assert.equal(r.status, 429, `6th attempt with the right password: ${describeResponse(r)}`);
  const text = mainText(r.body);
  const m = /Muitas tentativas sem sucesso\. Tente novamente em (\d+) minutos?\./.exec(text);
  assert.ok(m, `no "Muitas tentativas sem sucesso. Tente novamente em N minutos."; page text: ${text.slice(0, 400)}`);
  const retryAfter = r.res.headers.get('retry-after');
  assert.match(String(retryAfter), /^[1-9]\d*$/, `Retry-After header: ${retryAfter}`);
  assert.ok(Number(retryAfter) <= 15 * 60, `Retry-After ${retryAfter} is longer than the 15-minute window`);
  const minutes = Number(m[1]);
  assert.ok(Math.abs(minutes - Math.ceil(Number(retryAfter) / 60)) <= 1,
    `the page says ${minutes} minutes but Retry-After is ${retryAfter} s`);
  assert.equal(setCookie(r.res, 'sid'), null, 'a locked-out attempt set a sid cookie');
  // The lock is per account, not for everybody.
  await signIn(s, CLIENT.email, CLIENT.password);
});

// ---- CSRF ----------------------------------------------------------------------

test('a sign-in POST without the csrf token answers 403 "Recarregue a página e tente de novo" and signs nobody in', async () => {
  const c = await visitor();
  const r = await c.post('/login', { email: CLIENT.email, password: CLIENT.password, csrf: null });
  assert.equal(r.status, 403, describeResponse(r));
  assert.ok(mainText(r.body).includes(CSRF_TITLE), describeResponse(r));
  assert.equal(setCookie(r.res, 'sid'), null, 'a sid cookie was set although the token was missing');
  assertSignedOut(await accountStatus(c), 'after the rejected sign-in');
});

test("a sign-in POST carrying another visitor's token answers 403", async () => {
  const other = await visitor();
  const c = await visitor();
  assert.notEqual(other.csrf, c.csrf, 'two visitors got the same csrf token');
  const r = await c.post('/login', { email: CLIENT.email, password: CLIENT.password, csrf: other.csrf });
  assert.equal(r.status, 403, describeResponse(r));
  assert.equal(setCookie(r.res, 'sid'), null);
});

test('sign-out without the csrf token answers 403 and the session keeps working', async () => {
  const c = await signIn(s, CLIENT.email, CLIENT.password);
  const r = await c.post('/logout', { csrf: null });
  assert.equal(r.status, 403, describeResponse(r));
  assert.ok(mainText(r.body).includes(CSRF_TITLE), describeResponse(r));
  assertSignedIn(await accountStatus(c), 'after the rejected sign-out');
});

test("a signed-in form posted with the anonymous csrf cookie's value instead of the session's token answers 403 and changes nothing", async () => {
  const u = await addUser(s, { name: 'Nome Original' });
  const c = await signIn(s, u.email, u.password);
  const anon = c.cookies.get('csrf');
  assert.ok(anon, 'the client has no anonymous csrf cookie from the login page');
  await c.get('/account');
  assert.notEqual(c.csrf, anon, 'the signed-in page carries the anonymous token, not the session token');
  const r = await c.post('/account/profile', { name: 'Nome Trocado', language: 'pt-BR', csrf: anon });
  assert.equal(r.status, 403, describeResponse(r));
  const page = await c.get('/account');
  assert.equal(inputValue(page.body, 'name'), 'Nome Original', 'the name changed although the POST was rejected');
});

// ---- sessions ------------------------------------------------------------------

test('session fixation: a sid cookie set before sign-in is replaced by a new token, and the planted value opens nothing', async () => {
  for (const planted of ['A'.repeat(43), 'attacker-chosen']) {
    const c = await visitor();
    c.cookies.set('sid', planted);
    const r = await c.post('/login', { email: CLIENT.email, password: CLIENT.password });
    assert.equal(r.status, 303, describeResponse(r));
    const sid = setCookie(r.res, 'sid');
    assert.ok(sid, 'sign-in with a planted sid set no new sid cookie');
    assert.notEqual(sid.value, planted, 'the planted sid value was kept as the session token');
    const attacker = new Client(s);
    attacker.cookies.set('sid', planted);
    assertSignedOut(await accountStatus(attacker), `the planted value ${planted}`);
  }
});

test('each sign-in gets a new session token, even from a browser that is already signed in', async () => {
  const c = await signIn(s, CLIENT.email, CLIENT.password);
  const first = c.cookies.get('sid');
  const form = await c.get('/login');
  assert.equal(form.status, 303, `GET /login while signed in: ${describeResponse(form)}`);
  // The session's own token (from a signed-in page) goes with the second sign-in.
  await c.get('/account');
  const r = await c.post('/login', { email: CLIENT.email, password: CLIENT.password });
  assert.equal(r.status, 303, describeResponse(r));
  const second = setCookie(r.res, 'sid')?.value;
  assert.ok(second, 'the second sign-in set no sid cookie');
  assert.notEqual(second, first, 'the second sign-in reused the session token');
  const other = await signIn(s, CLIENT.email, CLIENT.password);
  assert.notEqual(other.cookies.get('sid'), second, 'two browsers got the same session token');
});

test('sign-out answers 303 to / with the flash "Você saiu da sua conta." and the old sid no longer works when replayed', async () => {
  const c = await signIn(s, CLIENT.email, CLIENT.password);
  const oldSid = c.cookies.get('sid');
  await c.get('/');
  const r = await c.post('/logout');
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, '/');
  const home = await c.get('/');
  assert.ok(mainText(home.body).includes('Você saiu da sua conta.'), `no sign-out flash; ${describeResponse(home)}`);
  assert.equal(headerName(home.body), null, 'the header still shows an account after sign-out');
  const replay = new Client(s);
  replay.cookies.set('sid', oldSid);
  assertSignedOut(await accountStatus(replay), 'the replayed sid after sign-out');
});

test('GET /account without a session redirects to /login?next=/account', async () => {
  assertSignedOut(await accountStatus(new Client(s)), 'anonymous');
});

// ---- client and staff areas ------------------------------------------------------

test('staff sign in at /staff/login with an ssid cookie limited to Path=/staff and see "Painel da equipe"; anonymous visitors are sent to sign in', async () => {
  const anon = await new Client(s).get('/staff');
  assert.equal(anon.status, 303, describeResponse(anon));
  assert.equal(anon.location, '/staff/login?next=/staff');
  const c = await visitor('/staff/login');
  const r = await c.post('/staff/login', { email: STAFF.email, password: STAFF.password });
  assert.equal(r.status, 303, describeResponse(r));
  const ssid = setCookie(r.res, 'ssid');
  assert.ok(ssid, `no ssid cookie; Set-Cookie: ${r.res.headers.getSetCookie().join(' | ')}`);
  assert.equal(ssid.attrs.path, '/staff', ssid.line);
  assert.equal(ssid.attrs.httponly, true, ssid.line);
  assert.equal(setCookie(r.res, 'sid'), null, 'staff sign-in also set a client sid cookie');
  const home = await c.get('/staff');
  assert.equal(home.status, 200, describeResponse(home));
  assert.ok(mainText(home.body).includes('Painel da equipe'), describeResponse(home));
});

test("a client's sid never opens /staff, not even sent as ssid", async () => {
  const c = await signIn(s, CLIENT.email, CLIENT.password);
  const r = await c.get('/staff');
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, '/staff/login?next=/staff');
  const forged = new Client(s);
  forged.cookies.set('ssid', c.cookies.get('sid'));
  const f = await forged.get('/staff');
  assert.equal(f.status, 303, `a client token sent as ssid: ${describeResponse(f)}`);
});

test("a staff ssid is not a client session: /account with only ssid, or with its value as sid, redirects to /login?next=/account", async () => {
  const st = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  const token = st.cookies.get('ssid');
  const a = new Client(s);
  a.cookies.set('ssid', token);
  assertSignedOut(await accountStatus(a), 'only an ssid cookie');
  const b = new Client(s);
  b.cookies.set('sid', token);
  assertSignedOut(await accountStatus(b), 'the staff token sent as sid');
});

test('client credentials on /staff/login and staff credentials on /login both answer 422', async () => {
  const c1 = await visitor('/staff/login');
  const r1 = await c1.post('/staff/login', { email: CLIENT.email, password: CLIENT.password });
  assert.equal(r1.status, 422, `client on /staff/login: ${describeResponse(r1)}`);
  assert.equal(setCookie(r1.res, 'ssid'), null);
  const c2 = await visitor('/login');
  const r2 = await c2.post('/login', { email: STAFF.email, password: STAFF.password });
  assert.equal(r2.status, 422, `staff on /login: ${describeResponse(r2)}`);
  assert.equal(setCookie(r2.res, 'sid'), null);
});

test('staff sign-out answers 303 and the old ssid no longer opens /staff', async () => {
  const st = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  const token = st.cookies.get('ssid');
  await st.get('/staff');
  const r = await st.post('/staff/logout');
  assert.equal(r.status, 303, describeResponse(r));
  const replay = new Client(s);
  replay.cookies.set('ssid', token);
  const g = await replay.get('/staff');
  assert.equal(g.status, 303, `the replayed ssid after sign-out: ${describeResponse(g)}`);
});

// ---- registration --------------------------------------------------------------

test('registering answers 303 to /, signed in, with the flash "Boas-vindas! Sua conta foi criada."', async () => {
  const email = uniqueEmail('novo');
  const c = await visitor('/register');
  const r = await c.post('/register', { name: 'Joana Registro', email, password: 'uma-senha-boa' });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, '/');
  assert.ok(setCookie(r.res, 'sid'), 'registering set no sid cookie');
  const home = await c.get('/');
  assert.ok(mainText(home.body).includes('Boas-vindas! Sua conta foi criada.'), describeResponse(home));
  assert.equal(headerName(home.body), 'Joana Registro');
  assertSignedIn(await accountStatus(c), 'after registering');
  await signIn(s, email, 'uma-senha-boa');
});

test('registering an address that exists with different letter case answers 422 "Já existe uma conta…" and keeps the typed name and email', async () => {
  const typed = 'CLIENTE@Exemplo.COM.br';
  const c = await visitor('/register');
  const r = await c.post('/register', { name: 'Outra Maria', email: typed, password: 'uma-senha-boa' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.ok(mainText(r.body).includes('Já existe uma conta com este endereço de e-mail.'), describeResponse(r));
  assert.equal(inputValue(r.body, 'name'), 'Outra Maria');
  assert.equal(inputValue(r.body, 'email'), typed);
  assert.equal(setCookie(r.res, 'sid'), null, 'a failed registration signed in');
  assert.match(r.body, /id="email-error">[^<]*<a href="\/forgot">Esqueceu a senha\?/, 'no way to the password reset');
  // The demo client's password did not change.
  await signIn(s, CLIENT.email, CLIENT.password);
});

test('registering with a 7-character password answers 422 "A senha deve ter pelo menos 8 caracteres.", keeps the typed fields and creates nothing', async () => {
  const email = uniqueEmail('curta');
  const c = await visitor('/register');
  const r = await c.post('/register', { name: 'Zé <Curto> & Cia', email, password: '1234567' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.ok(mainText(r.body).includes('A senha deve ter pelo menos 8 caracteres.'), describeResponse(r));
  assert.equal(inputValue(r.body, 'name'), 'Zé <Curto> & Cia');
  assert.equal(inputValue(r.body, 'email'), email);
  assert.doesNotMatch(r.body, /value="Zé <Curto>/, 'the typed name was put into the page without escaping');
  assert.equal(setCookie(r.res, 'sid'), null);
  // Nothing was created: the same address registers fine afterwards.
  const again = await c.post('/register', { name: 'Zé Curto', email, password: '12345678' });
  assert.equal(again.status, 303, `registering the same address after the failed attempt: ${describeResponse(again)}`);
});

// ---- the account page ----------------------------------------------------------

test('choosing English on the profile switches the pages to English and it stays with the account on a new sign-in; pt-BR switches back', async () => {
  const u = await addUser(s, { name: 'Lia Idioma' });
  const c = await signIn(s, u.email, u.password);
  let page = await c.get('/account');
  assert.match(page.body, /<html lang="pt-BR"/);
  assert.ok(mainText(page.body).includes('Minha conta'));
  let r = await c.post('/account/profile', { name: 'Lia Language', language: 'en' });
  assert.equal(r.status, 303, describeResponse(r));
  page = await c.get('/account');
  assert.match(page.body, /<html lang="en"/, 'the account page is not in English after choosing English');
  assert.ok(mainText(page.body).includes('My account'), describeResponse(page));
  assert.equal(headerName(page.body), 'Lia Language', 'the new name is not in the header');
  const home = await c.get('/');
  assert.match(home.body, /<html lang="en"/, 'the home page is not in English after choosing English');
  const other = await signIn(s, u.email, u.password);
  const otherPage = await other.get('/account');
  assert.match(otherPage.body, /<html lang="en"/, 'a new sign-in of the same account is not in English');
  r = await c.post('/account/profile', { name: 'Lia Language', language: 'pt-BR' });
  assert.equal(r.status, 303, describeResponse(r));
  page = await c.get('/account');
  assert.match(page.body, /<html lang="pt-BR"/);
  assert.ok(mainText(page.body).includes('Minha conta'));
});

test('a wrong current password answers 422 "A senha atual não está correta." and the password stays', async () => {
  const u = await addUser(s);
  const c = await signIn(s, u.email, u.password);
  await c.get('/account');
  const r = await c.post('/account/password', { current_password: 'not-it-at-all', new_password: 'nova-senha-123' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.ok(mainText(r.body).includes('A senha atual não está correta.'), describeResponse(r));
  await signIn(s, u.email, u.password);
});

test("changing the password signs out the account's other session, keeps this one, and only the new password works", async () => {
  const u = await addUser(s);
  const other = await signIn(s, u.email, u.password);
  const c = await signIn(s, u.email, u.password);
  const bystander = await signIn(s, CLIENT.email, CLIENT.password);
  await c.get('/account');
  const r = await c.post('/account/password', { current_password: u.password, new_password: 'nova-senha-123' });
  assert.ok(r.status === 303 || r.status === 200, describeResponse(r));
  assertSignedIn(await accountStatus(c), 'the session that changed the password');
  assertSignedOut(await accountStatus(other), "the account's other session");
  assertSignedIn(await accountStatus(bystander), "another account's session");
  const old = await (await visitor()).post('/login', { email: u.email, password: u.password });
  assert.equal(old.status, 422, `the old password after the change: ${describeResponse(old)}`);
  await signIn(s, u.email, 'nova-senha-123');
});

test('changing the email with a wrong password answers 422 and writes no email', async () => {
  const u = await addUser(s);
  const c = await signIn(s, u.email, u.password);
  await c.get('/account');
  const countBefore = emlMessages(s.dataDir).length;
  const target = uniqueEmail('nunca');
  const r = await c.post('/account/email', { new_email: target, email_password: 'wrong-password' });
  assert.equal(r.status, 422, describeResponse(r));
  assert.equal(inputValue(r.body, 'new_email'), target, 'the typed new address was not kept');
  await new Promise((res) => setTimeout(res, 300));
  assert.equal(emlMessages(s.dataDir).filter((m) => m.toAddresses.includes(target)).length, 0,
    'an email went to the new address although the password was wrong');
  assert.ok(emlMessages(s.dataDir).length === countBefore, 'an email was written');
});

test('changing the email sends a link to the new address; opening it changes the address used to sign in', async () => {
  const u = await addUser(s, { name: 'Troca Email' });
  const newEmail = uniqueEmail('trocado');
  const c = await signIn(s, u.email, u.password);
  await c.get('/account');
  const r = await c.post('/account/email', { new_email: newEmail, email_password: u.password });
  assert.equal(r.status, 303, describeResponse(r));
  const msg = await waitFor(() => {
    const all = emlMessages(s.dataDir);
    const newest = all[all.length - 1];
    return newest && newest.toAddresses.includes(newEmail.toLowerCase()) ? newest : null;
  }, { timeoutMs: 5000, message: `an .eml file to ${newEmail} in ${s.dataDir}/mail` });
  const linkRe = new RegExp(`^${s.baseUrl.replace(/[.]/g, '\\.')}/account/email/([A-Za-z0-9_-]+)$`);
  const link = msg.links.find((l) => linkRe.test(l));
  assert.ok(link, `no ${s.baseUrl}/account/email/<token> link in the email; links: ${msg.links.join(' ')}\n${msg.text}`);
  assert.ok(msg.text && msg.text.includes(link), 'the text part does not carry the link');
  // Nothing changes before the link is opened.
  await signIn(s, u.email, u.password);
  const open = await c.get(new URL(link).pathname);
  assert.equal(open.status, 303, `opening the confirmation link: ${describeResponse(open)}`);
  await signIn(s, newEmail, u.password);
  const old = await (await visitor()).post('/login', { email: u.email, password: u.password });
  assert.equal(old.status, 422, `the old address after the change: ${describeResponse(old)}`);
  const page = await c.get('/account');
  assert.ok(mainText(page.body).includes(newEmail), 'the account page does not show the new address');
});

// ---- CLI -----------------------------------------------------------------------

test('chamado user passwd sets a password (exit 0) that then signs in and signs out the old sessions (as --help says), and answers exit 1 for an unknown account', async () => {
  const u = await addUser(s);
  const earlier = await signIn(s, u.email, u.password);
  const ok = await runCli(['user', 'passwd', '--client', '--email', u.email, '--password-stdin', '--db', s.dbUrl],
    { input: 'definida-pela-cli\n' });
  assert.equal(ok.code, 0, describeRun(ok));
  await signIn(s, u.email, 'definida-pela-cli');
  assertSignedOut(await accountStatus(earlier), 'a session from before chamado user passwd');
  const none = await runCli(['user', 'passwd', '--client', '--email', uniqueEmail('ghost'), '--password-stdin', '--db', s.dbUrl],
    { input: 'whatever-123\n' });
  assert.equal(none.code, 1, describeRun(none));
});

test('a dead reset link answers in pt-BR to a visitor with no language cookie nor Accept-Language', async () => {
  for (const path of ['/reset/' + 'a'.repeat(43), '/staff/reset/' + 'b'.repeat(43)]) {
    const r = await s.fetch(path);
    const body = await r.text();
    assert.equal(r.status, 404, path);
    assert.match(body, /<html lang="pt-BR">/, path);
    assert.match(body, /Este link não vale mais/, path);
  }
});

test('the server exits with code 0 on SIGTERM without a sanitizer report', async () => {
  const problem = await stopProblem(s);
  s = null;
  assert.equal(problem, null, problem);
});

