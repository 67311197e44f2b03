// Administration (/staff/admin) against the real binary: who may open every
// page and send every form (admin, agent, client, nobody), the forms keeping
// what was typed on an error, and settings that show at once.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopProblem, runSql } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { setCookie, inputValue, mainText, describeResponse } from '../lib/accounts.mjs';
import { openTicket, waitForMail, CLIENT, STAFF } from '../lib/fixtures.mjs';
import { postMultipart } from '../lib/multipart.mjs';

const AGENT = { email: 'agente.admin-test@exemplo.com.br', password: 'senha1234', name: 'Carlos Agente' };

let s;
let admin; // signed-in admin (Client)
let agent; // signed-in agent
let client; // signed-in client of the Client Area
let replyId;

/** The text of a <textarea name=...>, or null. */
function textareaValue(html, name) {
  const m = new RegExp(`<textarea[^>]*name="${name}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return m ? m[1].replace(/&amp;/g, '&').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&quot;/g, '"').replace(/&#39;/g, "'") : null;
}

/** The field error shown under the field with this id, or null. */
function fieldError(html, id) {
  const m = new RegExp(`id="${id}-error">([^<]*)<`).exec(html);
  return m ? m[1].replace(/&#39;/g, "'") : null;
}

/** A copy of form without key (an unticked checkbox is not sent at all). */
function without(form, key) {
  const copy = { ...form };
  delete copy[key];
  return copy;
}

/** Posts a form and expects a 303 with the "saved" flash. */
async function saved(c, path, form, where) {
  const r = await c.post(path, form);
  assert.equal(r.status, 303, `${where}: POST ${path}; ${describeResponse(r)}`);
  const flash = setCookie(r.res, 'flash');
  assert.equal(flash?.value, 'saved', `${where}: no "saved" flash`);
  return r;
}

before(async () => {
  s = await startServer({ demo: true });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  await admin.get('/staff/admin/staff/new'); // the session's CSRF token
  const r = await admin.post('/staff/admin/staff', {
    name: AGENT.name, email: AGENT.email, role: 'agent', password: AGENT.password, active: '1', departments: '1',
  });
  assert.equal(r.status, 303, `creating the agent: ${describeResponse(r)}`);
  agent = await signIn(s, AGENT.email, AGENT.password, { staff: true });
  client = await signIn(s, CLIENT.email, CLIENT.password);
  const reply = await admin.post('/staff/admin/replies', { title: 'Boas-vindas', body: 'Olá!', department: '0' });
  assert.equal(reply.status, 303);
  const list = await admin.get('/staff/admin/replies');
  replyId = /\/staff\/admin\/replies\/(\d+)"/.exec(list.body)[1];
});

after(async () => {
  if (s) {
    const problem = await stopProblem(s);
    assert.equal(problem, null, problem);
  }
});

// ---- permissions -----------------------------------------------------------------

const GETS = () => [
  '/staff/admin', '/staff/admin/settings',
  '/staff/admin/departments', '/staff/admin/departments/new', '/staff/admin/departments/1',
  '/staff/admin/staff', '/staff/admin/staff/new', '/staff/admin/staff/1',
  '/staff/admin/clients', '/staff/admin/clients?q=maria', '/staff/admin/clients/1', '/staff/admin/clients/new',
  '/staff/admin/clients/1/services/1',
  '/staff/admin/replies', '/staff/admin/replies/new', `/staff/admin/replies/${replyId}`,
];

// Forms: for the admin an empty form is a 422 (nothing changes); deletes are
// tried only by those who may not.
const POSTS = () => [
  ['/staff/admin/settings', 422],
  ['/staff/admin/departments', 422],
  ['/staff/admin/departments/1', 422],
  ['/staff/admin/departments/1/delete', null],
  ['/staff/admin/staff', 422],
  ['/staff/admin/staff/1', 422],
  ['/staff/admin/clients', 422],
  ['/staff/admin/clients/1', 422],
  ['/staff/admin/clients/1/anonymise', null],
  ['/staff/admin/clients/1/services', 422],
  ['/staff/admin/clients/1/services/1', 422],
  ['/staff/admin/clients/1/services/1/delete', null],
  ['/staff/admin/replies', 422],
  [`/staff/admin/replies/${replyId}`, 422],
  [`/staff/admin/replies/${replyId}/delete`, null],
];

test('an admin opens every administration page', async () => {
  for (const path of GETS()) {
    const r = await admin.get(path);
    assert.equal(r.status, 200, `GET ${path}; ${describeResponse(r)}`);
    assert.match(r.body, /<h1>/, `GET ${path} has no h1`);
  }
});

test('an admin sending an empty form gets 422 and nothing is saved', async () => {
  for (const [path, status] of POSTS()) {
    if (status === null) continue;
    const r = await admin.post(path, {});
    assert.equal(r.status, status, `POST ${path}; ${describeResponse(r)}`);
    assert.match(r.body, /class="alert error"/, `POST ${path} shows no error summary`);
  }
});

test('an agent gets 404 for every administration page and form', async () => {
  await agent.get('/staff');
  for (const path of GETS()) {
    const r = await agent.get(path);
    assert.equal(r.status, 404, `agent GET ${path}; ${describeResponse(r)}`);
  }
  for (const [path] of POSTS()) {
    await agent.get('/staff');
    const r = await agent.post(path, { name: 'x' });
    assert.equal(r.status, 404, `agent POST ${path}; ${describeResponse(r)}`);
  }
  const dep = await admin.get('/staff/admin/departments/1');
  assert.equal(dep.status, 200, 'the agent deleted department 1');
});

async function assertSentToLogin(c, who) {
  for (const path of GETS()) {
    const r = await c.get(path);
    assert.equal(r.status, 303, `${who} GET ${path}; ${describeResponse(r)}`);
    assert.equal(r.location, `/staff/login?next=${path.split('?')[0]}`, `${who} GET ${path}`);
  }
  for (const [path] of POSTS()) {
    await c.get('/staff/login');
    const r = await c.post(path, { name: 'x' });
    assert.equal(r.status, 303, `${who} POST ${path}; ${describeResponse(r)}`);
    // After sign-in a POST comes back to a page of the staff area (the form's).
    assert.match(r.location || '', /^\/staff\/login\?next=\/staff(\/|$)/, `${who} POST ${path}`);
  }
}

test('a signed-out visitor is sent to the staff sign-in for every page and form', async () => {
  await assertSentToLogin(new Client(s), 'signed out');
});

test('a signed-in client is sent to the staff sign-in for every page and form', async () => {
  const home = await client.get('/');
  assert.equal(home.status, 200);
  await assertSentToLogin(client, 'client');
});

test('a form without the CSRF token changes nothing', async () => {
  const r = await admin.post('/staff/admin/settings', { csrf: null, company_name: 'Hacked' });
  assert.equal(r.status, 403);
  const page = await admin.get('/staff/admin/settings');
  assert.notEqual(inputValue(page.body, 'company_name'), 'Hacked');
});

test('the index links every section and the failed emails page', async () => {
  const r = await admin.get('/staff/admin');
  for (const href of ['/staff/admin/settings', '/staff/admin/departments', '/staff/admin/staff',
    '/staff/admin/clients', '/staff/admin/replies', '/staff/emails']) {
    assert.ok(r.body.includes(`href="${href}"`), `no link to ${href}`);
  }
});

// ---- settings --------------------------------------------------------------------

const SETTINGS = {
  company_name: 'Hospedagem Exemplo', brand_color: '#0B5CAD', show_powered_by: '1', registration_open: '1',
  auto_close_days: '7', ticket_number_digits: '6', attachment_max_files: '5', attachment_max_mb: '10',
  attachment_extensions: 'jpg,png,pdf',
};

test('a saved company name shows in the page titles at once', async () => {
  await admin.get('/staff/admin/settings');
  await saved(admin, '/staff/admin/settings', SETTINGS, 'settings');
  const page = await admin.get('/staff/admin/settings');
  assert.match(page.body, /<title>[^<]*Hospedagem Exemplo<\/title>/);
  assert.match(page.body, /Alterações salvas\.|Changes saved\./);
  assert.equal(inputValue(page.body, 'brand_color'), '#0b5cad');
  const home = await new Client(s).get('/login');
  assert.match(home.body, /<title>[^<]*Hospedagem Exemplo<\/title>/, 'the Client Area title did not change');
});

test('closing registration takes the register page away at once', async () => {
  await admin.get('/staff/admin/settings');
  await saved(admin, '/staff/admin/settings', without(SETTINGS, 'registration_open'), 'settings');
  const closed = await new Client(s).get('/register');
  assert.notEqual(closed.status, 200, 'registration is still open');
  await admin.get('/staff/admin/settings');
  await saved(admin, '/staff/admin/settings', SETTINGS, 'settings');
  const open = await new Client(s).get('/register');
  assert.equal(open.status, 200);
});

test('wrong settings answer 422 keeping what was typed, with an error under each field', async () => {
  await admin.get('/staff/admin/settings');
  const r = await admin.post('/staff/admin/settings', {
    ...SETTINGS, company_name: 'Outra Empresa', brand_color: 'azul', ticket_number_digits: '12',
    attachment_max_mb: '99', attachment_extensions: 'jpg,exe',
  });
  assert.equal(r.status, 422);
  assert.equal(inputValue(r.body, 'company_name'), 'Outra Empresa');
  assert.equal(inputValue(r.body, 'brand_color'), 'azul');
  assert.equal(inputValue(r.body, 'attachment_extensions'), 'jpg,exe');
  for (const id of ['brand_color', 'ticket_number_digits', 'attachment_max_mb', 'attachment_extensions']) {
    assert.ok(fieldError(r.body, id), `no error under ${id}`);
    assert.match(r.body, new RegExp(`id="${id}"[^>]*aria-invalid="true"`), `${id} is not aria-invalid`);
  }
  assert.equal(fieldError(r.body, 'company_name'), null);
  const page = await admin.get('/staff/admin/settings');
  assert.equal(inputValue(page.body, 'company_name'), 'Hospedagem Exemplo', 'a wrong form changed a setting');
});

// ---- departments -----------------------------------------------------------------

test('a department is created, listed and edited; a wrong form keeps its input', async () => {
  await admin.get('/staff/admin/departments/new');
  const bad = await admin.post('/staff/admin/departments', {
    name: '', description: 'Denúncias de abuso', email: 'abuso@@x', sort_order: '4', visible: '1',
  });
  assert.equal(bad.status, 422);
  assert.equal(textareaValue(bad.body, 'description'), 'Denúncias de abuso');
  assert.equal(inputValue(bad.body, 'email'), 'abuso@@x');
  assert.ok(fieldError(bad.body, 'name'));
  assert.ok(fieldError(bad.body, 'email'));

  // The client's form and the staff pages are read before and after: what an
  // admin changes shows at once (the pages keep their lists a few seconds).
  assert.doesNotMatch((await client.get('/tickets/new')).body, /Abuso/);
  const { number } = await openTicket(client, { subject: 'Escolhas da equipe' });
  assert.ok(number, 'the ticket was not opened');
  const queue = await admin.get('/staff/tickets');
  const option = (name) => new RegExp(`<option value="\\d+"[^>]*>${name}</option>`);
  assert.doesNotMatch(queue.body, option('Abuso'));
  assert.doesNotMatch((await admin.get(`/staff/tickets/${number}`)).body, option('Abuso'));
  await saved(admin, '/staff/admin/departments', {
    name: 'Abuso', description: 'Denúncias de abuso', email: 'Abuso@Nuvem.example', sort_order: '4', visible: '1',
    members: '1',
  }, 'create department');
  assert.match((await client.get('/tickets/new')).body, /Abuso/, 'the new department is not on the client\'s form');
  assert.match((await client.get('/')).body, /Abuso/, 'the new department is not on the home page');
  assert.match((await admin.get('/staff/tickets')).body, option('Abuso'), 'not in the queue\'s filter');
  assert.match((await admin.get(`/staff/tickets/${number}`)).body, option('Abuso'), 'not in "move to"');
  const list = await admin.get('/staff/admin/departments');
  assert.match(mainText(list.body), /Abuso/);
  const id = /\/staff\/admin\/departments\/(\d+)"><strong>Abuso/.exec(list.body)[1];

  // The inbound address is unique whatever its case.
  const dup = await admin.post('/staff/admin/departments', { name: 'Outro', email: 'abuso@nuvem.EXAMPLE' });
  assert.equal(dup.status, 422);
  assert.equal(inputValue(dup.body, 'name'), 'Outro');
  assert.ok(fieldError(dup.body, 'email'));

  await saved(admin, `/staff/admin/departments/${id}`, {
    name: 'Abuso e spam', description: '', email: '', sort_order: '9', members: '1',
  }, 'edit department');
  const edit = await admin.get(`/staff/admin/departments/${id}`);
  assert.equal(inputValue(edit.body, 'name'), 'Abuso e spam');
  assert.match((await admin.get(`/staff/tickets/${number}`)).body, option('Abuso e spam'), 'the old name in "move to"');
  assert.doesNotMatch(edit.body, /name="visible" value="1" checked/, 'the department is still visible');
  assert.match(edit.body, /name="members" value="1" checked/);

  // Hidden from clients, at once: its form, and a ticket sent to it anyway.
  const clientForm = await client.get('/tickets/new');
  assert.doesNotMatch(clientForm.body, /Abuso e spam/);
  const refused = await openTicket(client, { department: Number(id), subject: 'Spam oculto', submission: 'oculto-1' });
  assert.notEqual(refused.status, 303, 'a ticket was opened in a hidden department');
  assert.match(refused.body, /Suporte T/, 'the form to choose a department again');
  assert.doesNotMatch((await client.get('/tickets?status=all')).body, /Spam oculto/);

  // No tickets: it can go.
  await saved(admin, `/staff/admin/departments/${id}/delete`, {}, 'delete department');
  const gone = await admin.get(`/staff/admin/departments/${id}`);
  assert.equal(gone.status, 404);
});

test('a department with tickets is not deleted, and the page says why', async () => {
  const t = await openTicket(client, { department: 2, subject: 'Fatura em dobro' });
  assert.equal(t.status, 303, `opening a ticket: ${t.body.slice(0, 300)}`);
  await admin.get('/staff/admin/departments/2');
  const r = await admin.post('/staff/admin/departments/2/delete', {});
  assert.equal(r.status, 409, describeResponse(r));
  assert.match(mainText(r.body), /tickets/);
  assert.equal((await admin.get('/staff/admin/departments/2')).status, 200);
});

// ---- staff -----------------------------------------------------------------------

test('staff emails are unique whatever their case, and a wrong form keeps its input', async () => {
  await admin.get('/staff/admin/staff/new');
  const r = await admin.post('/staff/admin/staff', {
    name: 'Duplicada', email: AGENT.email.toUpperCase(), role: 'agent', password: 'senha1234', active: '1',
    signature: 'Abraços,\nDuplicada', departments: '2',
  });
  assert.equal(r.status, 422);
  assert.equal(inputValue(r.body, 'name'), 'Duplicada');
  assert.equal(textareaValue(r.body, 'signature'), 'Abraços,\nDuplicada');
  assert.match(r.body, /name="departments" value="2" checked/);
  assert.equal(inputValue(r.body, 'password'), '', 'the password was sent back');
  assert.ok(fieldError(r.body, 'email'));
});

test('a new staff member needs a password of 8 characters', async () => {
  await admin.get('/staff/admin/staff/new');
  const r = await admin.post('/staff/admin/staff', {
    name: 'Curta', email: 'curta@exemplo.com.br', role: 'agent', password: '1234', active: '1',
  });
  assert.equal(r.status, 422);
  assert.ok(fieldError(r.body, 'password'));
});

test('an admin can neither demote nor deactivate themself', async () => {
  const page = await admin.get('/staff/admin/staff/1');
  const form = { name: 'Ana Lima', email: STAFF.email, role: 'agent', active: '1' };
  const demote = await admin.post('/staff/admin/staff/1', form);
  assert.equal(demote.status, 422);
  assert.ok(fieldError(demote.body, 'role'));
  assert.ok(page.status === 200);
  const deactivate = await admin.post('/staff/admin/staff/1', without({ ...form, role: 'admin' }, 'active'));
  assert.equal(deactivate.status, 422);
  assert.ok(fieldError(deactivate.body, 'active'));
  assert.equal((await admin.get('/staff/admin')).status, 200, 'the admin lost access');
});

test('deactivating a staff member signs them out; a new password lets them back in', async () => {
  const email = 'temporario@exemplo.com.br';
  await admin.get('/staff/admin/staff/new');
  await saved(admin, '/staff/admin/staff', {
    name: 'Temporário', email, role: 'agent', password: 'senha1234', active: '1',
  }, 'create staff');
  const temp = await signIn(s, email, 'senha1234', { staff: true });
  assert.equal((await temp.get('/staff')).status, 200);
  const list = await admin.get('/staff/admin/staff');
  const id = /\/staff\/admin\/staff\/(\d+)"><strong>Temporário/.exec(list.body)[1];
  await saved(admin, `/staff/admin/staff/${id}`, { name: 'Temporário', email, role: 'agent' }, 'deactivate');
  const after = await temp.get('/staff');
  assert.equal(after.status, 303, 'the deactivated member is still signed in');
  await saved(admin, `/staff/admin/staff/${id}`, {
    name: 'Temporário', email, role: 'agent', active: '1', password: 'outra-senha-1',
  }, 'reactivate');
  await signIn(s, email, 'outra-senha-1', { staff: true });
});

// ---- clients and services ----------------------------------------------------------

test('clients are found by name or email and their page shows services and tickets', async () => {
  const byName = await admin.get('/staff/admin/clients?q=souza');
  assert.match(byName.body, /href="\/staff\/admin\/clients\/1"/);
  const byEmail = await admin.get('/staff/admin/clients?q=CLIENTE%40exemplo');
  assert.match(byEmail.body, /href="\/staff\/admin\/clients\/1"/);
  const none = await admin.get('/staff/admin/clients?q=ningu%C3%A9m');
  assert.doesNotMatch(none.body, /href="\/staff\/admin\/clients\/1"/);

  const page = await admin.get('/staff/admin/clients/1');
  const text = mainText(page.body);
  assert.match(text, /Maria Souza/);
  assert.match(text, /mariasouza\.com\.br/);
  assert.match(page.body, /href="\/staff\/tickets\/new\?client=1"/);
  assert.match(page.body, /href="\/staff\/tickets\/\d{6}"/, 'no ticket link');
});

test('a client is edited; a wrong email answers 422 keeping the typed name', async () => {
  await admin.get('/staff/admin/clients/1');
  const r = await admin.post('/staff/admin/clients/1', {
    name: 'Maria S. Souza', email: 'not-an-email', language: 'pt-BR', active: '1',
  });
  assert.equal(r.status, 422);
  assert.equal(inputValue(r.body, 'name'), 'Maria S. Souza');
  assert.ok(fieldError(r.body, 'email'));
  await saved(admin, '/staff/admin/clients/1', {
    name: 'Maria Souza', email: CLIENT.email, language: 'pt-BR', active: '1',
  }, 'edit client');
});

test('services are added, edited and removed, and the client sees them in Related Service', async () => {
  await admin.get('/staff/admin/clients/1');
  const bad = await admin.post('/staff/admin/clients/1/services', { kind: 'domain', label: '', status: 'active' });
  assert.equal(bad.status, 422);
  assert.ok(fieldError(bad.body, 'service_label'));
  assert.match(bad.body, /<option value="domain" selected>/);

  await saved(admin, '/staff/admin/clients/1/services', {
    kind: 'domain', label: 'loja-da-maria.com.br', status: 'active',
  }, 'add service');
  let page = await admin.get('/staff/admin/clients/1');
  const row = /loja-da-maria\.com\.br<\/td>[\s\S]*?\/staff\/admin\/clients\/1\/services\/(\d+)"/.exec(page.body);
  assert.ok(row, 'the new service is not listed');
  const serviceId = row[1];
  const form = await client.get('/tickets/new?department=1');
  assert.match(form.body, /loja-da-maria\.com\.br/, 'the client does not see the new service');

  await saved(admin, `/staff/admin/clients/1/services/${serviceId}`, {
    kind: 'domain', label: 'loja-da-maria.com.br', status: 'suspended',
  }, 'edit service');
  const edit = await admin.get(`/staff/admin/clients/1/services/${serviceId}`);
  assert.match(edit.body, /<option value="suspended" selected>/);

  await saved(admin, `/staff/admin/clients/1/services/${serviceId}/delete`, {}, 'remove service');
  page = await admin.get('/staff/admin/clients/1');
  assert.doesNotMatch(page.body, /loja-da-maria/);
});

test('a cancelled or terminated service is no longer offered in Related Service, and cannot be posted', async () => {
  await admin.get('/staff/admin/clients/1');
  for (const status of ['cancelled', 'terminated']) {
    const label = `antigo-${status}.com.br`;
    await saved(admin, '/staff/admin/clients/1/services', { kind: 'domain', label, status }, `add a ${status} service`);
    const page = await admin.get('/staff/admin/clients/1');
    const id = new RegExp(`${label.replaceAll('.', '\\.')}<\\/td>[\\s\\S]*?\\/staff\\/admin\\/clients\\/1\\/services\\/(\\d+)"`).exec(page.body)?.[1];
    assert.ok(id, `the ${status} service is not listed for the admin`);
    const form = await client.get('/tickets/new?department=1');
    assert.ok(!form.body.includes(label), `a ${status} service is offered to the client`);
    const sub = /name="submission" value="([^"]*)"/.exec(form.body)[1];
    const r = await postMultipart(client, '/tickets', {
      submission: sub, department: 1, subject: 'Sobre o serviço antigo', service: id, priority: 'medium', message: 'Texto',
    });
    assert.equal(r.status, 422, `posting a ${status} service: ${describeResponse(r)}`);
    await saved(admin, `/staff/admin/clients/1/services/${id}/delete`, {}, 'remove service');
  }
});

test('another client\'s service is not found under this client', async () => {
  const other = await admin.get('/staff/admin/clients/999/services/1');
  assert.equal(other.status, 404);
});

// ---- predefined replies --------------------------------------------------------------

test('predefined replies are created, edited and deleted; a wrong form keeps its input', async () => {
  await admin.get('/staff/admin/replies/new');
  const bad = await admin.post('/staff/admin/replies', { title: 'Sem corpo', body: '   ', department: '2' });
  assert.equal(bad.status, 422);
  assert.equal(inputValue(bad.body, 'title'), 'Sem corpo');
  assert.match(bad.body, /<option value="2" selected>/);
  assert.ok(fieldError(bad.body, 'body'));

  await saved(admin, '/staff/admin/replies', {
    title: 'Segunda via de boleto', body: 'Acesse **Faturas** e clique em *Segunda via*.', department: '2',
  }, 'create reply');
  let list = await admin.get('/staff/admin/replies');
  assert.match(mainText(list.body), /Segunda via de boleto Financeiro/);
  const id = /\/staff\/admin\/replies\/(\d+)"><strong>Segunda via/.exec(list.body)[1];

  await saved(admin, `/staff/admin/replies/${id}`, {
    title: 'Segunda via', body: 'Acesse **Faturas**.', department: '0',
  }, 'edit reply');
  const edit = await admin.get(`/staff/admin/replies/${id}`);
  assert.equal(textareaValue(edit.body, 'body'), 'Acesse **Faturas**.');

  await saved(admin, `/staff/admin/replies/${id}/delete`, {}, 'delete reply');
  list = await admin.get('/staff/admin/replies');
  assert.doesNotMatch(list.body, /Segunda via/);
});

test('an admin creates a client, who gets a link to choose a password; a wrong form keeps its input', async () => {
  await admin.get('/staff/admin/clients/new');
  const list = await admin.get('/staff/admin/clients');
  assert.match(list.body, /href="\/staff\/admin\/clients\/new"/, 'the list links the new-client form');
  const bad = await admin.post('/staff/admin/clients', { name: 'Carla Nunes', email: 'carla-sem-arroba', language: 'en', send_link: '1' });
  assert.equal(bad.status, 422, describeResponse(bad));
  assert.equal(inputValue(bad.body, 'name'), 'Carla Nunes');
  assert.equal(inputValue(bad.body, 'email'), 'carla-sem-arroba');
  assert.ok(fieldError(bad.body, 'email'));
  const taken = await admin.post('/staff/admin/clients', { name: 'Outra', email: CLIENT.email.toUpperCase(), language: 'pt-BR' });
  assert.equal(taken.status, 422, 'an address that has an account is refused');
  const r = await admin.post('/staff/admin/clients', { name: 'Carla Nunes', email: 'carla@loja.example', language: 'en', send_link: '1' });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(setCookie(r.res, 'flash')?.value, 'client-created-link');
  const page = await admin.get(r.res.headers.get('location'));
  assert.match(mainText(page.body), /Carla Nunes/);
  const [mail] = await waitForMail(s.dataDir, (m) => /carla@loja\.example/.test(m.header('to')), { what: 'the link to Carla' });
  const link = mail.links.find((l) => /\/reset\//.test(l) || /token=/.test(l));
  assert.ok(link, `a password link in ${mail.links.join(' ')}`);
  const carla = new Client(s);
  const form = await carla.get(new URL(link).pathname + new URL(link).search);
  assert.equal(form.status, 200, 'the link opens the form to choose a password');
  const chosen = await carla.post(new URL(link).pathname + new URL(link).search, { password: 'senha-da-carla', password2: 'senha-da-carla', confirm: 'senha-da-carla' });
  assert.equal(chosen.status, 303, describeResponse(chosen));
  await signIn(s, 'carla@loja.example', 'senha-da-carla');
});

test('removing a client\'s personal data needs their address typed, signs them out and keeps their tickets', async () => {
  await admin.get('/staff/admin/clients/new');
  const made = await admin.post('/staff/admin/clients', { name: 'Rita Prado', email: 'rita@prado.example', language: 'pt-BR' });
  assert.equal(made.status, 303, describeResponse(made));
  const url = made.res.headers.get('location');
  const id = /\/(\d+)$/.exec(url)[1];
  runSql(s, "UPDATE clients SET password_hash = (SELECT password_hash FROM clients WHERE email_lower = 'cliente@exemplo.com.br') WHERE email_lower = 'rita@prado.example'");
  const rita = await signIn(s, 'rita@prado.example', CLIENT.password);
  const opened = await openTicket(rita, { subject: 'Cobrança em dobro da Rita' });
  const number = opened.number;

  await admin.get(url);
  const wrong = await admin.post(`/staff/admin/clients/${id}/anonymise`, { confirm_email: 'outra@prado.example' });
  assert.equal(wrong.status, 422, 'a wrong confirmation changes nothing');
  assert.ok(fieldError(wrong.body, 'confirm_email'));
  assert.match(mainText((await admin.get(url)).body), /Rita Prado/);
  await agent.get('/staff/tickets'); // the agent's CSRF token
  assert.equal(await agent.post(`/staff/admin/clients/${id}/anonymise`, { confirm_email: 'rita@prado.example' }).then((x) => x.status), 404, 'not for agents');

  const r = await admin.post(`/staff/admin/clients/${id}/anonymise`, { confirm_email: 'RITA@prado.example' });
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(setCookie(r.res, 'flash')?.value, 'client-anonymised');
  const page = await admin.get(url);
  assert.doesNotMatch(page.body, /Rita Prado|rita@prado/, 'the name and address are gone from the page');
  assert.doesNotMatch(page.body, /\/anonymise"/, 'nothing left to remove');
  const ticket = await admin.get(`/staff/tickets/${number}`);
  assert.equal(ticket.status, 200, 'the ticket stays');
  assert.match(mainText(ticket.body), /Cobrança em dobro da Rita/);
  assert.doesNotMatch(ticket.body, /rita@prado\.example|Rita Prado/);
  const after = await rita.get('/tickets');
  assert.equal(after.status, 303, 'her session ended');
  await assert.rejects(signIn(s, 'rita@prado.example', CLIENT.password), /answered 200|answered 4/);
  const audit = await admin.get('/staff/admin/audit');
  assert.match(audit.body, /client\.update|Cliente/i);
});
