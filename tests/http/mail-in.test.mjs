// Email in, end to end: messages of the corpus (tests/mail/) piped into the
// real `chamado mail-in` against a running server's database, then checked in
// the Client Area and in the emails the server writes to DATA_DIR/mail.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { spawn, execFileSync } from 'node:child_process';
import { startServer, runCli, describeRun, ROOT, freePort, makeTempDir, removeDir, sleep } from '../lib/server.mjs';
import { signIn } from '../lib/client.mjs';
import { mainText } from '../lib/accounts.mjs';
import { CLIENT, mailFiles, waitForMail } from '../lib/fixtures.mjs';

let s;
let maria;
let serial = 0;
const vars = { SENT_ID: 'none@x', NUMBER: '0', REF: 'T0-000000000000' };

before(async () => {
  s = await startServer({ demo: true, env: { CHAMADO_MAIL_POLL_MS: '100' } });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
});
after(async () => {
  if (s) await s.stop();
});

/** A corpus file with its placeholders filled (a fresh Message-ID unless given). */
function corpus(name, msgid) {
  const id = msgid || `http-${process.pid}-${++serial}@client.example`;
  let text = fs.readFileSync(path.join(ROOT, 'tests', 'mail', name), 'latin1');
  text = text.replaceAll('{{MSGID}}', id);
  for (const [k, v] of Object.entries(vars)) text = text.replaceAll(`{{${k}}}`, v);
  return { id, bytes: Buffer.from(text, 'latin1') };
}

function mailIn(input, db = s.dbUrl) {
  return runCli(['mail-in', '--db', db, '--data-dir', s.dataDir], {
    input,
    env: { CHAMADO_BASE_URL: s.baseUrl },
  });
}

async function ticketText(number) {
  const r = await maria.get(`/tickets/${number}`);
  assert.equal(r.status, 200, `GET /tickets/${number} answered ${r.status}`);
  return mainText(r.body);
}

let first; // { number, msgid }

test('a new email from the demo client exits 0, says "stored: ticket #N opened", and the ticket is in Meus Tickets with the text above the signature', async () => {
  const m = corpus('new-utf8.eml');
  const r = await mailIn(m.bytes);
  assert.equal(r.code, 0, describeRun(r));
  const n = /stored: ticket #(\d+) opened/.exec(r.stderr)?.[1];
  assert.ok(n, describeRun(r));
  first = { number: n, msgid: m.id };
  const text = await ticketText(n);
  assert.match(text, /Site fora do ar desde ontem/);
  assert.match(text, /Erro 500 — Internal Server Error/);
  assert.doesNotMatch(text, /99999-0000/, 'the signature was not cut');
  const list = await maria.get('/tickets');
  assert.ok(list.body.includes(`/tickets/${n}`), 'the ticket is not in Meus Tickets de Suporte');
});

test('the confirmation email threads under the client\'s email (In-Reply-To), is marked auto-generated and carries the hidden Ref', async () => {
  const [mail] = await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CLIENT.email) &&
    m.subject?.includes(`[Ticket ID: ${first.number}]`), { what: `the confirmation of #${first.number}` });
  assert.equal(mail.header('in-reply-to'), `<${first.msgid}>`);
  assert.equal(mail.header('auto-submitted'), 'auto-generated');
  assert.equal(mail.header('x-auto-response-suppress'), 'All');
  const ref = /Ref: (T\d+-[0-9a-f]{12})/.exec(mail.text || '')?.[1];
  assert.ok(ref, `no Ref line in the text part:\n${mail.text}`);
  vars.SENT_ID = mail.header('message-id').replace(/[<>]/g, '');
  vars.NUMBER = first.number;
  vars.REF = ref;
});

test('a Gmail reply to that email is added to the ticket without the quoted history; the same message again exits 0 as a duplicate and adds nothing', async () => {
  const m = corpus('gmail-reply.eml');
  const r = await mailIn(m.bytes);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, new RegExp(`stored: client reply added to ticket #${first.number}`));
  const again = await mailIn(m.bytes);
  assert.equal(again.code, 0, describeRun(again));
  assert.match(again.stderr, /duplicate/);
  const text = await ticketText(first.number);
  assert.equal(text.split('Obrigada! Voltou a funcionar.').length - 1, 1, 'the reply is not there exactly once');
  assert.doesNotMatch(text, /responda acima desta linha/);
  assert.match(text, /Resposta do Cliente/);
});

test('an Outlook reply without threading headers or tag finds the ticket by the hidden Ref', async () => {
  const r = await mailIn(corpus('outlook-reply.eml').bytes);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, new RegExp(`ticket #${first.number}`));
  assert.match(await ticketText(first.number), /Segue o print do erro que aparece agora\./);
});

test('a stranger quoting the ticket tag is refused: nothing added, one polite auto-reply to them', async () => {
  const r = await mailIn(corpus('stranger-reply.eml').bytes);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, /refused: intruso@outro-dominio\.com may not write/);
  assert.doesNotMatch(await ticketText(first.number), /123456/);
  const [mail] = await waitForMail(s.dataDir, (m) => m.toAddresses.includes('intruso@outro-dominio.com'),
    { what: 'the auto-reply to the stranger' });
  assert.equal(mail.header('auto-submitted'), 'auto-generated');
  assert.match(mail.subject, /^Resposta automática: /);
});

test('the demo admin answers by email: the client sees the reply and gets it by email, threaded', async () => {
  const r = await mailIn(corpus('staff-reply.eml').bytes);
  assert.equal(r.code, 0, describeRun(r));
  assert.match(r.stderr, /stored: staff reply/);
  const text = await ticketText(first.number);
  assert.match(text, /reiniciamos o PHP-FPM/);
  assert.doesNotMatch(text, /escreveu:/);
  const [mail] = await waitForMail(s.dataDir, (m) => m.toAddresses.includes(CLIENT.email) &&
    (m.text || '').includes('reiniciamos o PHP-FPM'), { what: 'the staff reply to the client' });
  assert.ok(mail.header('in-reply-to'), 'no In-Reply-To on the staff reply');
  assert.match(mail.header('references') || '', new RegExp(`<${vars.SENT_ID.replace(/[.$]/g, '\\$&')}>`));
});

test('bounces, out-of-office replies and newsletters exit 0 as ignored and nobody is emailed', async () => {
  const before = mailFiles(s.dataDir).length;
  for (const name of ['bounce.eml', 'autoreply.eml', 'bulk.eml', 'x-autoreply.eml']) {
    const r = await mailIn(corpus(name).bytes);
    assert.equal(r.code, 0, `${name}: ${describeRun(r)}`);
    assert.match(r.stderr, /ignored/, `${name}: ${r.stderr}`);
  }
  await new Promise((resolve) => setTimeout(resolve, 500));
  assert.equal(mailFiles(s.dataDir).length, before, 'an email was sent in answer to a loop');
});

test('an email with attachments opens a ticket listing the PNG and the PDF; the .exe is named as not saved', async () => {
  const r = await mailIn(corpus('attachments.eml').bytes);
  assert.equal(r.code, 0, describeRun(r));
  const n = /ticket #(\d+) opened/.exec(r.stderr)?.[1];
  assert.ok(n, describeRun(r));
  const page = await maria.get(`/tickets/${n}`);
  assert.match(page.body, /erro\.png/);
  assert.match(page.body, /fatura março\.pdf/);
  assert.match(mainText(page.body), /Anexos não salvos:[\s\S]*programa\.exe/);
});

test('with the database unavailable mail-in exits 75 (EX_TEMPFAIL) with the reason on stderr', async () => {
  const r = await mailIn(corpus('new-utf8.eml').bytes, 'sqlite:/nonexistent-dir/chamado.db');
  assert.equal(r.code, 75, describeRun(r));
  assert.match(r.stderr, /database unavailable/);
});

// ---- IMAP: a real Dovecot on loopback, in a temporary directory ----------------

const DOVECOT = '/usr/sbin/dovecot';
const haveDovecot = fs.existsSync(DOVECOT);

/** Starts Dovecot (imap only, plaintext on 127.0.0.1) with one user "suporte". */
async function startDovecot() {
  const dir = await makeTempDir('chamado-imap-');
  const port = await freePort();
  const root = process.getuid() === 0;
  // imap-login refuses to run as root: as root use Debian's own service users.
  const loginUser = root ? 'dovenull' : execFileSync('id', ['-un']).toString().trim();
  const internalUser = root ? 'dovecot' : loginUser;
  const internalGroup = root ? 'dovecot' : execFileSync('id', ['-gn']).toString().trim();
  const uid = root ? execFileSync('id', ['-u', 'dovecot']).toString().trim() : String(process.getuid());
  const gid = root ? execFileSync('id', ['-g', 'dovecot']).toString().trim() : String(process.getgid());
  for (const d of ['run', 'state', 'home', 'mail/suporte/new', 'mail/suporte/cur', 'mail/suporte/tmp']) {
    fs.mkdirSync(path.join(dir, d), { recursive: true });
  }
  fs.writeFileSync(path.join(dir, 'users'), 'suporte:{PLAIN}segredo\n');
  fs.writeFileSync(path.join(dir, 'dovecot.conf'), `protocols = imap
listen = 127.0.0.1
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain
mail_location = maildir:${dir}/mail/%u
default_login_user = ${loginUser}
default_internal_user = ${internalUser}
default_internal_group = ${internalGroup}
first_valid_uid = 0
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}
userdb {
  driver = static
  args = uid=${uid} gid=${gid} home=${dir}/home/%u
}
service imap-login {
  chroot =
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
service anvil {
  chroot =
}
`);
  fs.chmodSync(dir, 0o755);
  if (root) execFileSync('chown', ['-R', `${uid}:${gid}`, path.join(dir, 'mail'), path.join(dir, 'home')]);
  const proc = spawn(DOVECOT, ['-F', '-c', path.join(dir, 'dovecot.conf')], { stdio: 'ignore' });
  const url = `imap://suporte:segredo@127.0.0.1:${port}/INBOX`;
  const put = (name, bytes, { seen = false } = {}) => {
    const f = path.join(dir, 'mail/suporte', seen ? 'cur' : 'new', seen ? `${name}:2,S` : name);
    fs.writeFileSync(f, bytes);
    if (root) fs.chownSync(f, Number(uid), Number(gid));
  };
  // Ready when a login answers.
  for (let i = 0; i < 50; i++) {
    const r = spawn('curl', ['-s', '--max-time', '2', url.replace('/INBOX', '/'), '-X', 'NOOP']);
    const code = await new Promise((resolve) => r.on('close', resolve));
    if (code === 0) break;
    await sleep(100);
  }
  return {
    url, put, dir,
    async stop() {
      proc.kill('SIGTERM');
      await new Promise((resolve) => { proc.on('exit', resolve); setTimeout(resolve, 3000); });
      await removeDir(dir);
    },
  };
}

function pollImap(url) {
  return runCli(['mail-in', '--db', s.dbUrl, '--data-dir', s.dataDir, '--imap', url],
    { env: { CHAMADO_BASE_URL: s.baseUrl } });
}

test('IMAP: messages are taken by UID from a real Dovecot, one already read in webmail too; the next poll fetches nothing; a new one is taken after', { skip: !haveDovecot && 'dovecot-imapd is not installed (scripts/install-deps)' }, async () => {
  const imap = await startDovecot();
  try {
    const a = corpus('new-latin1.eml');
    const b = corpus('new-cp1252.eml');
    imap.put('1.eml', a.bytes);
    imap.put('2.eml', b.bytes, { seen: true }); // read by a person already
    const r1 = await pollImap(imap.url);
    assert.equal(r1.code, 0, describeRun(r1));
    assert.match(r1.stderr, /IMAP: 2 fetched, 2 taken, 0 mailbox\(es\) failed/, describeRun(r1));
    const r2 = await pollImap(imap.url);
    assert.match(r2.stderr, /IMAP: 0 fetched/, describeRun(r2));
    imap.put('3.eml', corpus('forwarded.eml').bytes);
    const r3 = await pollImap(imap.url);
    assert.match(r3.stderr, /IMAP: 1 fetched, 1 taken/, describeRun(r3));
    const list = mainText((await maria.get('/tickets')).body);
    assert.match(list, /Fwd: Aviso de expiração de domínio/);
  } finally {
    await imap.stop();
  }
});

test('IMAP: a server that does not answer exits 75 and takes nothing', async () => {
  const port = await freePort();
  const r = await pollImap(`imap://suporte:segredo@127.0.0.1:${port}/INBOX`);
  assert.equal(r.code, 75, describeRun(r));
  assert.match(r.stderr, /EXAMINE/);
});
