// The knowledge base over HTTP against the real binary (demo data): the
// public pages, search with highlights, "Esta resposta lhe foi útil?" as a
// plain form and as JSON, the tally text in both languages, drafts never
// shown to clients, XSS in articles and search terms escaped, the
// suggestions of Abrir Ticket, and the staff pages with who may use them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, stopProblem, DB_BACKEND } from '../lib/server.mjs';
import { Client, signIn } from '../lib/client.mjs';
import { setCookie, mainText, decodeEntities, describeResponse } from '../lib/accounts.mjs';
import { CLIENT, STAFF } from '../lib/fixtures.mjs';

const AGENT = { email: 'agente.kb@exemplo.com.br', password: 'senha1234', name: 'Carlos Agente' };
const HOW_TO = 'Como abrir um ticket de suporte';

let s;
let admin; // signed-in admin
let agent; // signed-in agent
let maria; // signed-in client
let howTo; // the id of the demo article on opening a ticket
let draft; // the id of the demo draft

before(async () => {
  s = await startServer({ demo: true });
  admin = await signIn(s, STAFF.email, STAFF.password, { staff: true });
  await admin.get('/staff/admin/staff/new');
  const r = await admin.post('/staff/admin/staff', {
    name: AGENT.name, email: AGENT.email, role: 'agent', password: AGENT.password, active: '1', departments: '1',
  });
  assert.equal(r.status, 303, `creating the agent: ${describeResponse(r)}`);
  agent = await signIn(s, AGENT.email, AGENT.password, { staff: true });
  maria = await signIn(s, CLIENT.email, CLIENT.password);
  const list = await admin.get('/staff/kb');
  assert.equal(list.status, 200, describeResponse(list));
  howTo = articleIdByTitle(list.body, HOW_TO);
  draft = articleIdByTitle(list.body, 'Migração de e-mails de outro provedor (rascunho)');
});

after(async () => {
  if (s) {
    const problem = await stopProblem(s);
    assert.equal(problem, null, problem);
  }
});

function articleIdByTitle(html, title) {
  for (const m of html.matchAll(/href="\/staff\/kb\/articles\/(\d+)"><strong>([^<]*)<\/strong>/g)) {
    if (decodeEntities(m[2]) === title) return m[1];
  }
  throw new Error(`no article "${title}" on /staff/kb`);
}

function tally(html) {
  const m = /<p class="kb-tally"[^>]*>([^<]*)<\/p>/.exec(html);
  return m ? decodeEntities(m[1]) : null;
}

function pressed(html, value) {
  const m = new RegExp(`<button[^>]*value="${value}"[^>]*aria-pressed="(true|false)"`).exec(html);
  return m ? m[1] === 'true' : null;
}

async function vote(c, id, helpful, headers = {}) {
  if (!c.csrf) await c.get(`/kb/article/${id}`);
  return c.post(`/kb/article/${id}/vote`, { helpful }, headers);
}

// ---- public pages ----------------------------------------------------------------

test('Base de Conhecimento lists the categories with their article counts, without signing in', async () => {
  const c = new Client(s);
  const r = await c.get('/kb');
  assert.equal(r.status, 200);
  const text = mainText(r.body);
  assert.match(text, /Primeiros passos .*3 artigos/);
  assert.match(text, /E-mail .*3 artigos/, 'the draft is not counted');
  assert.match(r.body, /<a href="\/kb"[^>]*aria-current="page"/, 'the menu marks Base de Conhecimento');
});

test('a category lists its published articles, and an article renders its Markdown', async () => {
  const c = new Client(s);
  const cat = await c.get('/kb/category/1');
  assert.equal(cat.status, 200);
  assert.match(cat.body, new RegExp(`href="/kb/article/${howTo}">${HOW_TO}<`));
  const r = await c.get(`/kb/article/${howTo}`);
  assert.equal(r.status, 200);
  assert.match(r.body, /<title>Como abrir um ticket de suporte — /);
  assert.match(r.body, /<h2>Passo a passo<\/h2>/);
  assert.match(r.body, /<strong>Abrir Ticket<\/strong>/);
  assert.match(mainText(r.body), /Esta resposta lhe foi útil\? Sim Não/);
  assert.equal(tally(r.body), '0 Usuários acharam útil (0 Votos)');
  for (const p of ['/kb/article/0', '/kb/article/999999', '/kb/article/abc', '/kb/category/999']) {
    assert.equal((await c.get(p)).status, 404, p);
  }
});

test('the tally reads "N Users found this helpful (M Votes)" in English', async () => {
  const c = new Client(s);
  const r = await c.get(`/kb/article/${howTo}`, { 'Accept-Language': 'en' });
  assert.equal(r.status, 200);
  assert.match(r.body, /Was this answer helpful\?/);
  assert.match(tally(r.body), /^\d+ Users found this helpful \(\d+ Votes\)$/);
});

test('search folds accents and highlights the matched words', async () => {
  const c = new Client(s);
  const r = await c.get('/kb/search?q=configuracao');
  assert.equal(r.status, 200);
  assert.match(mainText(r.body), /1 artigo encontrado/);
  assert.match(r.body, /href="\/kb\/article\/4">Como configurar o seu e-mail no celular/);
  // SQLite's FTS5 marks the accented word itself; PostgreSQL's ts_headline
  // marks words typed as they are written.
  if (DB_BACKEND === 'sqlite') assert.match(r.body, /<mark>configuração<\/mark>/);
  const accented = await c.get('/kb/search?q=' + encodeURIComponent('configuração celular'));
  assert.match(accented.body, /<mark>configuração<\/mark>/);
  assert.match(accented.body, /<mark>celular<\/mark>/);
  const none = await c.get('/kb/search?q=xyzzy');
  assert.match(mainText(none.body), /Nenhum artigo encontrado para “xyzzy”/);
  const empty = await c.get('/kb/search');
  assert.equal(empty.status, 200);
  assert.doesNotMatch(empty.body, /Nenhum artigo encontrado/);
});

test('the home page search box leads to the results', async () => {
  const c = new Client(s);
  const home = await c.get('/');
  assert.match(home.body, /<form class="search" method="get" action="\/kb\/search"/);
  const r = await c.get('/kb/search?q=outlook');
  assert.match(r.body, /Como configurar o seu e-mail no <mark>Outlook<\/mark>/);
});

test('a draft is never shown to visitors or clients, and shows once published', async () => {
  const visitor = new Client(s);
  for (const c of [visitor, maria]) {
    assert.equal((await c.get(`/kb/article/${draft}`)).status, 404);
    assert.doesNotMatch((await c.get('/kb/search?q=migracao')).body, /rascunho/i);
    assert.doesNotMatch((await c.get('/kb/category/2')).body, /rascunho/i);
    const sug = await c.get('/kb/suggest?q=migra');
    assert.deepEqual(JSON.parse(sug.body).articles, []);
    assert.equal((await vote(c, draft, 'yes')).status, 404);
  }
  await admin.get('/staff/kb');
  assert.equal((await admin.post(`/staff/kb/articles/${draft}/publish`, { published: '1' })).status, 303);
  assert.equal((await visitor.get(`/kb/article/${draft}`)).status, 200);
  assert.equal((await admin.post(`/staff/kb/articles/${draft}/publish`, { published: '0' })).status, 303);
  assert.equal((await visitor.get(`/kb/article/${draft}`)).status, 404);
});

// ---- votes -------------------------------------------------------------------------

test('a visitor votes with a plain form, changes the vote, and never counts twice', async () => {
  const id = '2';
  const visitor = new Client(s);
  const before = await visitor.get(`/kb/article/${id}`);
  assert.equal(tally(before.body), '0 Usuários acharam útil (0 Votos)');
  const r = await vote(visitor, id, 'yes');
  assert.equal(r.status, 303, describeResponse(r));
  assert.equal(r.location, `/kb/article/${id}?vote=thanks#helpful`);
  const cookie = setCookie(r.res, 'kbvoter');
  assert.ok(cookie?.value, 'an anonymous voter cookie is set');
  assert.ok(cookie.attrs.httponly);
  let page = await visitor.follow(r);
  assert.equal(tally(page.body), '1 Usuários acharam útil (1 Votos)');
  assert.equal(pressed(page.body, 'yes'), true);
  assert.match(mainText(page.body), /Obrigado pela sua opinião/);
  await vote(visitor, id, 'yes');
  page = await visitor.follow(await vote(visitor, id, 'no'));
  assert.equal(tally(page.body), '0 Usuários acharam útil (1 Votos)');
  assert.equal(pressed(page.body, 'no'), true);
  // Another visitor and a signed-in client count once each.
  const other = new Client(s);
  await vote(other, id, 'yes');
  await maria.get(`/kb/article/${id}`);
  await vote(maria, id, 'yes');
  await vote(maria, id, 'yes');
  page = await maria.get(`/kb/article/${id}`);
  assert.equal(tally(page.body), '2 Usuários acharam útil (3 Votos)');
  assert.equal(pressed(page.body, 'yes'), true);
});

test('a vote sent by fetch gets JSON with the new tally', async () => {
  const id = '3';
  const c = new Client(s);
  await c.get(`/kb/article/${id}`);
  const r = await vote(c, id, 'yes', { Accept: 'application/json' });
  assert.equal(r.status, 200);
  assert.match(r.res.headers.get('content-type'), /^application\/json/);
  const body = JSON.parse(r.body);
  assert.deepEqual({ yes: body.yes, total: body.total, helpful: body.helpful }, { yes: 1, total: 1, helpful: true });
  assert.equal(body.tally, '1 Usuários acharam útil (1 Votos)');
  const en = await vote(c, id, 'no', { Accept: 'application/json', 'Accept-Language': 'en' });
  assert.equal(JSON.parse(en.body).tally, '0 Users found this helpful (1 Votes)');
});

test('a vote needs the CSRF token and a yes or a no', async () => {
  const c = new Client(s);
  await c.get(`/kb/article/${howTo}`);
  assert.equal((await c.post(`/kb/article/${howTo}/vote`, { helpful: 'yes', csrf: 'wrong' })).status, 403);
  assert.equal((await c.post(`/kb/article/${howTo}/vote`, { helpful: 'maybe' })).status, 400);
  assert.equal((await c.post('/kb/article/999999/vote', { helpful: 'yes' })).status, 404);
});

// ---- escaping ------------------------------------------------------------------------

test('HTML in an article and in search terms comes out escaped', async () => {
  await admin.get('/staff/kb/articles/new');
  const r = await admin.post('/staff/kb/articles', {
    title: 'Erro <script>alert("t")</script> no painel', category: '1', sort_order: '', published: '1',
    body: 'Veja <img src=x onerror=alert(1)> e [isto](javascript:alert(2)).\n\n<script>alert(3)</script> painelzinho',
    action: 'save',
  });
  assert.equal(r.status, 303, describeResponse(r));
  const id = /\/staff\/kb\/articles\/(\d+)$/.exec(r.location)[1];
  const c = new Client(s);
  const page = await c.get(`/kb/article/${id}`);
  assert.equal(page.status, 200);
  const main = /<main[\s\S]*<\/main>/.exec(page.body)[0].replace(/<script src="\/static\/js\/kb\.js\?v=[0-9a-f]{16}" defer><\/script>/, '');
  assert.doesNotMatch(main, /<script|<img|javascript:/i);
  assert.match(main, /Erro &lt;script&gt;alert\(&quot;t&quot;\)&lt;\/script&gt; no painel/);
  const found = await c.get('/kb/search?q=' + encodeURIComponent('painelzinho <script>alert(9)</script>'));
  const results = /<main[\s\S]*<\/main>/.exec(found.body)[0];
  assert.doesNotMatch(results.replace(/<script src="[^"]*" defer><\/script>/g, ''), /<script|<img/i);
  assert.match(results, /&lt;(<mark>)?script(<\/mark>)?&gt;/i);
  assert.match(results, /<mark>painelzinho<\/mark>/);
  assert.match(found.body, /value="painelzinho &lt;script&gt;alert\(9\)&lt;\/script&gt;"/);
  await admin.post(`/staff/kb/articles/${id}/delete`, {});
});

// ---- suggestions on Abrir Ticket ----------------------------------------------------------

test('the suggestions endpoint answers JSON with up to five published articles', async () => {
  const c = new Client(s);
  const r = await c.get('/kb/suggest?q=' + encodeURIComponent('como abrir um tick'));
  assert.equal(r.status, 200);
  assert.match(r.res.headers.get('content-type'), /^application\/json/);
  const { articles } = JSON.parse(r.body);
  assert.equal(articles[0].title, HOW_TO);
  assert.equal(articles[0].url, `/kb/article/${howTo}?from=ticket-form`);
  assert.ok(articles.length <= 5);
  assert.deepEqual(JSON.parse((await c.get('/kb/suggest?q=')).body), { articles: [] });
  assert.deepEqual(JSON.parse((await c.get('/kb/suggest')).body), { articles: [] });
  const many = JSON.parse((await c.get('/kb/suggest?q=e')).body).articles;
  assert.ok(many.length <= 5);
});

test('the ticket form offers suggestions, and a search link without JavaScript', async () => {
  const r = await maria.get('/tickets/new?department=1');
  assert.equal(r.status, 200);
  assert.match(r.body, /data-kb-suggest data-url="\/kb\/suggest"/);
  assert.match(r.body, /Talvez isto resolva:/);
  assert.match(r.body, /<a href="\/kb\/search"[^>]*data-kb-search-link>Procurar uma resposta na Base de Conhecimento<\/a>/);
  assert.match(r.body, /<script src="\/static\/js\/kb\.js\?v=[0-9a-f]{16}" defer><\/script>/);
  const js = await s.fetch('/static/js/kb.js');
  assert.equal(js.status, 200);
});

test('opening a suggestion from the ticket form is counted for the admins', async () => {
  const r = await maria.get(`/kb/article/${howTo}?from=ticket-form`);
  assert.equal(r.status, 200);
  const page = await admin.get('/staff/kb');
  assert.match(mainText(page.body), /Tickets evitados \d+ .*Sugestões abertas: 1\./);
  const agentPage = await agent.get('/staff/kb');
  assert.doesNotMatch(agentPage.body, /Tickets evitados/, 'the figure is for admins');
});

// ---- staff -------------------------------------------------------------------------------

test('signed-out visitors and clients are sent to the staff sign-in', async () => {
  for (const c of [new Client(s), maria]) {
    for (const p of ['/staff/kb', '/staff/kb/articles/new', `/staff/kb/articles/${howTo}`, '/staff/kb/categories']) {
      const r = await c.get(p);
      assert.equal(r.status, 303, p);
      assert.equal(r.location, `/staff/login?next=${p}`);
    }
  }
  const visitor = new Client(s);
  await visitor.get('/staff/login');
  const post = await visitor.post('/staff/kb/articles', { title: 'x', body: 'y', category: '1' });
  assert.equal(post.status, 303);
  assert.match(post.location, /^\/staff\/login/);
});

test('an agent writes an article with a preview, publishes it, and moves it', async () => {
  const form = await agent.get('/staff/kb/articles/new');
  assert.equal(form.status, 200);
  const fields = { title: 'Como criar uma conta FTP', category: '1', sort_order: '', body: '## Passos\n\n1. Abra o **cPanel**' };
  const preview = await agent.post('/staff/kb/articles', { ...fields, action: 'preview' });
  assert.equal(preview.status, 200);
  assert.match(preview.body, /<h2>Passos<\/h2>/);
  assert.match(preview.body, /<strong>cPanel<\/strong>/);
  assert.match(preview.body, /<textarea[^>]*>## Passos/);
  assert.doesNotMatch((await agent.get('/staff/kb')).body, /Como criar uma conta FTP/, 'a preview saves nothing');

  const bad = await agent.post('/staff/kb/articles', { ...fields, title: ' ', action: 'save' });
  assert.equal(bad.status, 422);
  assert.match(bad.body, /id="title-error">Escreva um título\.</);

  const saved = await agent.post('/staff/kb/articles', { ...fields, action: 'save' });
  assert.equal(saved.status, 303, describeResponse(saved));
  assert.equal(setCookie(saved.res, 'flash')?.value, 'saved');
  const id = /\/staff\/kb\/articles\/(\d+)$/.exec(saved.location)[1];
  const visitor = new Client(s);
  assert.equal((await visitor.get(`/kb/article/${id}`)).status, 404, 'saved as a draft');
  assert.equal((await agent.post(`/staff/kb/articles/${id}/publish`, { published: '1', next: `/staff/kb/articles/${id}` })).location,
    `/staff/kb/articles/${id}`);
  assert.equal((await visitor.get(`/kb/article/${id}`)).status, 200);
  const moved = await agent.post(`/staff/kb/articles/${id}`, { ...fields, category: '2', action: 'save' });
  assert.equal(moved.status, 303);
  assert.match((await visitor.get('/kb/category/2')).body, /Como criar uma conta FTP/);
  const edit = await agent.get(`/staff/kb/articles/${id}`);
  assert.match(mainText(edit.body), /Visualizações: \d+ · 0 Usuários acharam útil \(0 Votos\)/);
});

test('staff create, order and delete categories; one with articles stays', async () => {
  await agent.get('/staff/kb/categories');
  const bad = await agent.post('/staff/kb/categories', { name: '', description: '', sort_order: 'x', visible: '1' });
  assert.equal(bad.status, 422);
  const r = await agent.post('/staff/kb/categories', { name: 'Domínios', description: 'Registro e DNS', sort_order: '0', visible: '1' });
  assert.equal(r.status, 303);
  const list = await agent.get('/staff/kb/categories');
  const id = /href="\/staff\/kb\/categories\/(\d+)"><strong>Domínios</.exec(list.body)[1];
  assert.equal((await agent.post('/staff/kb/categories/1/delete', {})).status, 409);
  assert.equal((await agent.post(`/staff/kb/categories/${id}/delete`, {})).status, 303);
  assert.equal((await agent.get(`/staff/kb/categories/${id}`)).status, 404);
});

test('only admins close the base to visitors, and then visitors are sent to sign in', async () => {
  await agent.get('/staff/kb');
  assert.equal((await agent.post('/staff/kb/settings', { require_login: '1' })).status, 404);
  await admin.get('/staff/kb');
  assert.equal((await admin.post('/staff/kb/settings', { require_login: '1' })).status, 303);
  const visitor = new Client(s);
  const r = await visitor.get('/kb');
  assert.equal(r.status, 303);
  assert.equal(r.location, '/login?next=/kb');
  assert.equal((await visitor.get('/kb/suggest?q=ticket')).status, 303);
  assert.equal((await maria.get('/kb')).status, 200);
  assert.equal((await admin.post('/staff/kb/settings', {})).status, 303);
  assert.equal((await visitor.get('/kb')).status, 200);
});
