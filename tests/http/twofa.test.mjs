// Two-factor sign-in (TOTP) and Sessões ativas against the real binary, with
// codes computed here as an authenticator app would (tests/lib/totp.mjs):
// turning it on from the profile, the code step of sign-in, replay and drift,
// recovery codes, the throttle, the admin's requirement and reset, the command
// line for the locked-out, and ending sessions.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, runCli, describeRun } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { addUser, uniqueEmail, setCookie, describeResponse, mainText } from '../lib/accounts.mjs';
import { createStaff, flash } from '../lib/staff.mjs';
import { STAFF } from '../lib/fixtures.mjs';
import { totp, stepAt, hotp } from '../lib/totp.mjs';

const CHROME_LINUX = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const FIREFOX_WINDOWS = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0';

let s;
before(async () => {
  s = await startServer({ demo: true });
});
after(async () => {
  if (s) await s.stop();
});

/** The secret the set-up page shows as text (spaces between groups removed). */
function secretOf(html) {
  const m = /<p class="secret"><code[^>]*>([A-Z2-7 ]+)<\/code>/.exec(html);
  assert.ok(m, `the set-up page shows no secret as text:\n${mainText(html).slice(0, 600)}`);
  return m[1].replace(/ /g, '');
}

function recoveryCodesOf(html) {
  return [...html.matchAll(/<li><code>([a-z0-9]{5}-[a-z0-9]{5})<\/code><\/li>/g)].map((m) => m[1]);
}

/**
 * Turns 2FA on for the signed-in client c through the pages (base: /account
 * or /staff/account). Returns {secret, codes, step}: step is the one the
 * confirming code used, so the next sign-in uses step + 1.
 */
async function turnOn(c, base = '/account') {
  const page = await c.get(`${base}/2fa`);
  assert.equal(page.status, 200, describeResponse(page));
  const secret = secretOf(page.body);
  const step = stepAt();
  const r = await c.post(`${base}/2fa`, { code: totp(secret, step) });
  assert.equal(r.status, 200, `confirming with a right code: ${describeResponse(r)}`);
  const codes = recoveryCodesOf(r.body);
  assert.equal(codes.length, 10, `ten recovery codes expected:\n${mainText(r.body).slice(0, 800)}`);
  return { secret, codes, step };
}

/** Password step: returns the client, holding the sign-in that waits for a code. */
async function passwordStep(email, password, { staff = false, ua } = {}) {
  const c = new Client(s);
  const login = staff ? '/staff/login' : '/login';
  await c.get(login);
  const r = await c.post(login, { email, password }, ua ? { 'User-Agent': ua } : {});
  return { c, r };
}

async function codeStep(c, code, { staff = false, ua } = {}) {
  return c.post(staff ? '/staff/login/code' : '/login/code', { code }, ua ? { 'User-Agent': ua } : {});
}

async function newClientWith2fa() {
  const u = await addUser(s, { email: uniqueEmail('dois-fatores') });
  const c = await signIn(s, u.email, u.password);
  const tf = await turnOn(c);
  return { ...u, ...tf, c };
}

// ---- turning it on -----------------------------------------------------------

test('a client turns two-factor sign-in on from the account page: QR code, secret as text, a wrong code refused, then ten recovery codes', async () => {
  const u = await addUser(s, { email: uniqueEmail('ativa') });
  const c = await signIn(s, u.email, u.password);
  const account = await c.get('/account');
  assert.match(account.body, /Verificação em duas etapas/, 'the account page has no two-factor section');
  assert.match(account.body, /href="\/account\/2fa"/, 'the account page does not link to the set-up');

  const setup = await c.get('/account/2fa');
  assert.equal(setup.status, 200);
  assert.match(setup.body, /<svg[^>]*class="qr"[^>]*>[\s\S]*<path fill="#000" d="M\d+ \d+h1v1h-1z/, 'no QR code drawn as SVG');
  const secret = secretOf(setup.body);
  assert.equal(secret.length, 32, `a 160-bit secret is 32 base32 characters: ${secret}`);
  // Reloading keeps the secret, so an app that scanned it keeps working.
  assert.equal(secretOf((await c.get('/account/2fa')).body), secret, 'reloading the set-up page changed the secret');

  const wrong = await c.post('/account/2fa', { code: String((Number(totp(secret)) + 1) % 1000000).padStart(6, '0') });
  assert.equal(wrong.status, 422, describeResponse(wrong));
  assert.match(mainText(wrong.body), /código não está certo/i);

  const ok = await c.post('/account/2fa', { code: totp(secret) });
  assert.equal(ok.status, 200, describeResponse(ok));
  const codes = recoveryCodesOf(ok.body);
  assert.equal(codes.length, 10);
  assert.equal(new Set(codes).size, 10, 'recovery codes repeat');
  const after = await c.get('/account');
  assert.match(mainText(after.body), /Ativada/, 'the account page does not say it is on');
  assert.match(mainText(after.body), /Códigos de recuperação restantes: 10/);
  // Shown once: the page that listed them is gone.
  assert.equal((await c.get('/account/2fa')).status, 303, 'the set-up page opens again while it is on');
});

// ---- signing in --------------------------------------------------------------

test('with two-factor on, the password alone opens no session: the code step does, and only with a right code', async () => {
  const u = await newClientWith2fa();
  const { c, r } = await passwordStep(u.email, u.password);
  assert.equal(r.status, 303, describeResponse(r));
  assert.match(r.location, /^\/login\/code\?next=/, `after the password: ${r.location}`);
  assert.equal(setCookie(r.res, 'sid'), null, 'a session cookie was set before the code');
  assert.equal((await c.get('/account')).status, 303, 'the account opened before the code');

  const form = await c.get(r.location);
  assert.equal(form.status, 200);
  assert.match(form.body, /autocomplete="one-time-code"/);
  const bad = await codeStep(c, '000000' === totp(u.secret, u.step + 1) ? '111111' : '000000');
  assert.equal(bad.status, 422, describeResponse(bad));
  assert.equal((await c.get('/account')).status, 303, 'a wrong code opened the account');

  const good = await codeStep(c, totp(u.secret, u.step + 1));
  assert.equal(good.status, 303, describeResponse(good));
  assert.equal(good.location, '/tickets');
  assert.ok(setCookie(good.res, 'sid'), 'no session cookie after the right code');
  assert.equal((await c.get('/account')).status, 200);
});

test('a code is never accepted twice, and a code two steps old is refused; the step beside now is accepted (clock drift)', async () => {
  const u = await newClientWith2fa();
  // The next step (drift +1) works once.
  let { c } = await passwordStep(u.email, u.password);
  assert.equal((await codeStep(c, totp(u.secret, u.step + 1))).status, 303, 'a code of the next step was refused');
  ({ c } = await passwordStep(u.email, u.password));
  const replay = await codeStep(c, totp(u.secret, u.step + 1));
  assert.equal(replay.status, 422, `the same code was accepted twice: ${describeResponse(replay)}`);
  const old = await codeStep(c, totp(u.secret, stepAt() - 2));
  assert.equal(old.status, 422, 'a code two steps old was accepted');
});

test('recovery codes sign in once each, and count down on the account page', async () => {
  const u = await newClientWith2fa();
  let { c } = await passwordStep(u.email, u.password);
  const r = await codeStep(c, u.codes[3].toUpperCase());
  assert.equal(r.status, 303, `a recovery code (typed in capitals) was refused: ${describeResponse(r)}`);
  assert.match(mainText((await c.get('/account')).body), /Códigos de recuperação restantes: 9/);
  ({ c } = await passwordStep(u.email, u.password));
  assert.equal((await codeStep(c, u.codes[3])).status, 422, 'a recovery code worked twice');
});

test('"Gerar novos códigos de recuperação" with the password: ten new codes shown once, the old ones stop working, a new one works once', async () => {
  const u = await newClientWith2fa();
  const account = await u.c.get('/account');
  assert.match(account.body, /action="\/account\/2fa\/recovery"/, 'the account page offers no new recovery codes');
  assert.match(mainText(account.body), /Gerar novos códigos de recuperação/);
  const wrong = await u.c.post('/account/2fa/recovery', { proof: 'senha-errada-123' });
  assert.equal(wrong.status, 422, describeResponse(wrong));
  assert.match(mainText(wrong.body), /Digite sua senha atual ou os seis dígitos/);

  const r = await u.c.post('/account/2fa/recovery', { proof: u.password });
  assert.equal(r.status, 200, describeResponse(r));
  assert.match(mainText(r.body), /Os antigos não funcionam mais/);
  const fresh = recoveryCodesOf(r.body);
  assert.equal(fresh.length, 10, `ten new codes expected:\n${mainText(r.body).slice(0, 800)}`);
  assert.equal(new Set(fresh).size, 10);
  assert.ok(fresh.every((x) => !u.codes.includes(x)), 'an old code came back');
  assert.doesNotMatch((await u.c.get('/account')).body, new RegExp(fresh[0]), 'the codes are shown again on the account page');
  assert.match(mainText((await u.c.get('/account')).body), /Códigos de recuperação restantes: 10/);

  let { c } = await passwordStep(u.email, u.password);
  const old = await codeStep(c, u.codes[0]);
  assert.equal(old.status, 422, `an old recovery code still signs in: ${describeResponse(old)}`);
  const good = await codeStep(c, fresh[0]);
  assert.equal(good.status, 303, `a new recovery code was refused: ${describeResponse(good)}`);
  ({ c } = await passwordStep(u.email, u.password));
  assert.equal((await codeStep(c, fresh[0])).status, 422, 'a new recovery code worked twice');
});

test('new recovery codes with a code of the app instead of the password; that code is then spent; staff are audited', async () => {
  const u = await newClientWith2fa();
  const code = totp(u.secret, u.step + 1);
  const r = await u.c.post('/account/2fa/recovery', { proof: code });
  assert.equal(r.status, 200, describeResponse(r));
  assert.equal(recoveryCodesOf(r.body).length, 10);
  const replay = await u.c.post('/account/2fa/recovery', { proof: code });
  assert.equal(replay.status, 422, 'the same app code made new codes twice');
  const { c } = await passwordStep(u.email, u.password);
  assert.equal((await codeStep(c, code)).status, 422, 'the code spent on new recovery codes signed in');

  const admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  const member = await createStaff(admin, { name: 'Rita Prado', email: uniqueEmail('codigos'), departments: [1] });
  const tf = await turnOn(member.client, '/staff/account');
  const page = await member.client.get('/staff/account');
  assert.match(page.body, /action="\/staff\/account\/2fa\/recovery"/);
  const staffNew = await member.client.post('/staff/account/2fa/recovery', { proof: totp(tf.secret, tf.step + 1) });
  assert.equal(staffNew.status, 200, describeResponse(staffNew));
  const fresh = recoveryCodesOf(staffNew.body);
  assert.equal(fresh.length, 10);
  const again = await passwordStep(member.email, member.password, { staff: true });
  assert.equal((await codeStep(again.c, tf.codes[0], { staff: true })).status, 422, 'an old staff recovery code still works');
  assert.equal((await codeStep(again.c, fresh[0], { staff: true })).status, 303, 'a new staff recovery code was refused');
  const log = await admin.get('/staff/admin/audit?kind=2fa.');
  assert.match(mainText(log.body), new RegExp(`Novos códigos de recuperação gerados ${member.email.replace(/[.]/g, '\\.')}`),
    'new recovery codes of staff are not in the audit log');
});

test('wrong codes count toward the sign-in lock: after five, even the right code waits (429)', async () => {
  const u = await newClientWith2fa();
  const { c } = await passwordStep(u.email, u.password);
  const right = totp(u.secret, u.step + 1);
  const wrong = right === '123456' ? '654321' : '123456';
  for (let i = 0; i < 5; i++) assert.equal((await codeStep(c, wrong)).status, 422, `wrong code ${i + 1}`);
  const locked = await codeStep(c, right);
  assert.equal(locked.status, 429, `the sixth try was not throttled: ${describeResponse(locked)}`);
  assert.match(mainText(locked.body), /Muitas tentativas/);
  // And the password step is locked for the account too.
  const again = await passwordStep(u.email, u.password);
  assert.equal(again.r.status, 429, 'the password step ignored the failed codes');
});

test('the code step without a pending sign-in sends back to the sign-in page', async () => {
  const c = new Client(s);
  await c.get('/login');
  const r = await c.get('/login/code');
  assert.equal(r.status, 303);
  assert.equal(r.location, '/login');
  const post = await codeStep(c, '123456');
  assert.equal(post.status, 303, describeResponse(post));
  assert.equal(post.location, '/login');
});

// ---- turning it off, the command line ------------------------------------------

test('a client turns it off with the password; chamado user 2fa-reset removes it for one locked out', async () => {
  const u = await newClientWith2fa();
  const wrong = await u.c.post('/account/2fa/disable', { password: 'nao-e-a-senha' });
  assert.equal(wrong.status, 422, describeResponse(wrong));
  const off = await u.c.post('/account/2fa/disable', { password: u.password });
  assert.equal(off.status, 303, describeResponse(off));
  let { r } = await passwordStep(u.email, u.password);
  assert.equal(r.location, '/tickets', 'after turning it off the password alone should sign in');

  const v = await newClientWith2fa();
  const cli = await runCli(['user', '2fa-reset', '--client', '--email', v.email, '--db', s.dbUrl]);
  assert.equal(cli.code, 0, describeRun(cli));
  ({ r } = await passwordStep(v.email, v.password));
  assert.equal(r.status, 303);
  assert.equal(r.location, '/tickets', `after the CLI reset the password alone should sign in: ${r.location}`);
  const again = await runCli(['user', '2fa-reset', '--client', '--email', v.email, '--db', s.dbUrl]);
  assert.equal(again.code, 1, describeRun(again));
  assert.match(again.stderr, /does not use two-factor/);
  const nobody = await runCli(['user', '2fa-reset', '--staff', '--email', 'ninguem@exemplo.com.br', '--db', s.dbUrl]);
  assert.equal(nobody.code, 1);
  assert.match(nobody.stderr, /no such account/);
});

// ---- sessions ----------------------------------------------------------------

test('Sessões ativas lists each device with its address and times; one can end another session, or all others', async () => {
  const u = await addUser(s, { email: uniqueEmail('sessoes') });
  const loginAs = async (ua) => {
    const c = new Client(s);
    await c.get('/login');
    const r = await c.post('/login', { email: u.email, password: u.password }, { 'User-Agent': ua });
    assert.equal(r.status, 303);
    return c;
  };
  const chrome = await loginAs(CHROME_LINUX);
  const firefox = await loginAs(FIREFOX_WINDOWS);
  const third = await loginAs('curl/8.0');
  const page = await chrome.get('/account');
  const text = mainText(page.body);
  assert.match(text, /Sessões ativas/);
  assert.match(text, /Chrome no Linux/);
  assert.match(text, /Firefox no Windows/);
  assert.match(text, /127\.0\.0\.1/);
  assert.match(text, /Este dispositivo/);

  // End the Firefox session from Chrome.
  const ids = [...page.body.matchAll(/action="\/account\/sessions\/(\d+)\/end"/g)].map((m) => m[1]);
  assert.equal(ids.length, 2, 'the current session should have no end button, the two others one each');
  const firefoxId = /Firefox no Windows[\s\S]*?action="\/account\/sessions\/(\d+)\/end"/.exec(page.body)[1];
  const end = await chrome.post(`/account/sessions/${firefoxId}/end`, {});
  assert.equal(end.status, 303, describeResponse(end));
  assert.equal((await firefox.get('/account')).status, 303, 'the ended session still opens the account');
  assert.equal((await third.get('/account')).status, 200);

  // Another account's session cannot be ended: the other client's page
  // names its sessions, and Chrome's account gets 404 for them.
  const v = await addUser(s, { email: uniqueEmail('outra') });
  const stranger = await signIn(s, v.email, v.password);
  await signIn(s, v.email, v.password);
  const strangerId = /action="\/account\/sessions\/(\d+)\/end"/.exec((await stranger.get('/account')).body)[1];
  assert.equal((await chrome.post(`/account/sessions/${strangerId}/end`, {})).status, 404);
  assert.equal((await chrome.post('/account/sessions/999999999/end', {})).status, 404);

  const others = await chrome.post('/account/sessions/end-others', {});
  assert.equal(others.status, 303);
  assert.equal((await third.get('/account')).status, 303, 'end all others left a session open');
  assert.equal((await chrome.get('/account')).status, 200, 'end all others ended the current session');
});

// ---- staff: profile, the admin's requirement, the reset --------------------------

test('staff have a profile page at /staff/account, linked from their name in the header', async () => {
  const admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  const home = await admin.get('/staff');
  assert.match(home.body, /<a class="who" href="\/staff\/account"/);
  const page = await admin.get('/staff/account');
  assert.equal(page.status, 200);
  const text = mainText(page.body);
  for (const part of ['Perfil', 'Alterar senha', 'Verificação em duas etapas', 'Sessões ativas']) assert.match(text, new RegExp(part));
  assert.doesNotMatch(text, /Alterar e-mail/, 'staff change their email through an admin');
});

test('an admin requires 2FA for staff: a member without it is led to set it up before any other staff page; an admin can reset it', async () => {
  const admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  const adminTf = await turnOn(admin, '/staff/account');
  await admin.get('/staff/admin/security');
  const save = await admin.post('/staff/admin/security', { require_staff: '1', offer_clients: '1' });
  assert.equal(save.status, 303, describeResponse(save));
  try {
    const member = await createStaff(admin, { name: 'Bruno Costa', email: uniqueEmail('agente'), departments: [1], signIn: false });
    const { c, r } = await passwordStep(member.email, member.password, { staff: true });
    assert.equal(r.status, 303);
    assert.equal(r.location, '/staff/account/2fa', 'a member without 2FA was not led to set it up');
    for (const p of ['/staff', '/staff/tickets', '/staff/account']) {
      const g = await c.get(p);
      assert.equal(g.status, 303, `${p} opened before the set-up`);
      assert.equal(g.location, '/staff/account/2fa');
    }
    const setup = await c.get('/staff/account/2fa');
    assert.equal(setup.status, 200);
    assert.match(mainText(setup.body), /exige a verificação em duas etapas/);
    const secret = secretOf(setup.body);
    const step = stepAt();
    const on = await c.post('/staff/account/2fa', { code: totp(secret, step) });
    assert.equal(on.status, 200, describeResponse(on));
    assert.equal((await c.get('/staff')).status, 200, 'the dashboard stayed closed after the set-up');
    // While required, staff cannot turn it off.
    assert.equal((await c.post('/staff/account/2fa/disable', { password: member.password })).status, 422);

    // The admin resets it (an agent cannot).
    const edit = await admin.get(`/staff/admin/staff/${member.id}`);
    assert.match(edit.body, new RegExp(`action="/staff/admin/staff/${member.id}/2fa-reset"`));
    assert.equal((await c.post(`/staff/admin/staff/${member.id}/2fa-reset`, {})).status, 404, 'an agent reset 2FA');
    const reset = await admin.post(`/staff/admin/staff/${member.id}/2fa-reset`, {});
    assert.equal(reset.status, 303, describeResponse(reset));
    assert.match(flash((await admin.get(reset.location)).body) || '', /redefinida/);
    const log = await admin.get('/staff/admin/audit?kind=2fa.');
    assert.match(mainText(log.body), new RegExp(`Verificação em duas etapas redefinida ${member.email.replace(/[.]/g, '\\.')}`),
      'the reset is not in the audit log');
    const again = await passwordStep(member.email, member.password, { staff: true });
    assert.equal(again.r.location, '/staff/account/2fa', 'after the reset the member is led to set it up again');
  } finally {
    const off = await admin.post('/staff/admin/security', { offer_clients: '1' });
    assert.equal(off.status, 303);
  }
  // The admin signs in with its own code.
  const { c: a2, r } = await passwordStep(STAFF.email, STAFF.password, { staff: true });
  assert.match(r.location, /^\/staff\/login\/code/);
  assert.equal((await codeStep(a2, totp(adminTf.secret, adminTf.step + 1), { staff: true })).status, 303);
  const cli = await runCli(['user', '2fa-reset', '--staff', '--email', STAFF.email, '--db', s.dbUrl]);
  assert.equal(cli.code, 0, describeRun(cli));
});

test('when the admin stops offering 2FA to clients they do not see it', async () => {
  const admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  await admin.get('/staff/admin/security');
  assert.equal((await admin.post('/staff/admin/security', {})).status, 303);
  try {
    const u = await addUser(s, { email: uniqueEmail('sem2fa') });
    const c = await signIn(s, u.email, u.password);
    assert.doesNotMatch(mainText((await c.get('/account')).body), /Verificação em duas etapas/);
    assert.equal((await c.get('/account/2fa')).status, 404);
  } finally {
    assert.equal((await admin.post('/staff/admin/security', { offer_clients: '1' })).status, 303);
  }
});

test('the RFC 6238 test vectors (SHA-1) come out of the helper the tests use', () => {
  const key = Buffer.from('12345678901234567890');
  const vectors = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'],
    [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
  for (const [t, code] of vectors) assert.equal(hotp(key, Math.floor(t / 30), 8), code, `T=${t}`);
});
