// Helpers for the staff-panel suites: create staff members and predefined
// replies through the admin pages, read the queue, a staff ticket page and the
// dashboard, and send the reply / note / update / merge forms the way the
// browser does (fresh submission key and `seen` from the page).
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import * as serverLib from './server.mjs';
import { signIn } from './client.mjs';
import { postMultipart } from './multipart.mjs';
import { pageText, decodeEntities, describeResponse } from './accounts.mjs';
import { mailFiles } from './fixtures.mjs';

let counter = 0;

/** A word nobody else uses in this run (letters and digits only). */
export function uniqueWord(prefix = 'W') {
  counter += 1;
  return `${prefix}${process.pid.toString(36)}${counter}${Math.random().toString(36).slice(2, 7)}`.toUpperCase();
}

/** POST an urlencoded form whose fields may repeat: pairs [[name, value], ...]. */
export async function postPairs(client, p, pairs) {
  const all = [...pairs];
  if (!all.some(([k]) => k === 'csrf')) {
    if (!client.csrf) await client.get('/staff');
    all.unshift(['csrf', client.csrf]);
  }
  const body = new URLSearchParams(all.map(([k, v]) => [k, String(v)])).toString();
  return client.request(p, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body });
}

/**
 * Create a staff member with the admin's form (POST /staff/admin/staff) and
 * sign them in (unless signIn: false). Returns {client, email, name, password, id}.
 */
export async function createStaff(admin, { name, email, password = 'senha-agente-123', role = 'agent', departments = [], signIn: doSignIn = true }) {
  await admin.get('/staff/admin/staff/new');
  const pairs = [['name', name], ['email', email], ['role', role], ['password', password], ['active', '1'],
    ['signature', ''], ...departments.map((d) => ['departments', d])];
  const r = await postPairs(admin, '/staff/admin/staff', pairs);
  if (r.status !== 303) throw new Error(`creating staff ${email}: ${describeResponse(r)}`);
  const list = await admin.get('/staff/admin/staff');
  const row = [...list.body.matchAll(/<tr>([\s\S]*?)<\/tr>/g)].map((m) => m[1]).find((r) => r.includes(`>${email}<`));
  const id = row ? /href="\/staff\/admin\/staff\/(\d+)"/.exec(row)?.[1] : null;
  const client = doSignIn ? await signIn(admin.server, email, password, { staff: true }) : null;
  return { client, email, name, password, id: id ? Number(id) : null };
}

/** Create a predefined reply (POST /staff/admin/replies) and return its id. */
export async function createPredefined(admin, { title, body, department = 0 }) {
  await admin.get('/staff/admin/replies/new');
  const r = await admin.post('/staff/admin/replies', { title, body, department: String(department) });
  if (r.status !== 303) throw new Error(`creating the predefined reply "${title}": ${describeResponse(r)}`);
  const list = await admin.get('/staff/admin/replies');
  const esc = title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const m = new RegExp(`href="/staff/admin/replies/(\\d+)"><strong>${esc}</strong>`).exec(list.body);
  if (!m) throw new Error(`the predefined reply "${title}" is not linked from /staff/admin/replies`);
  return Number(m[1]);
}

/** The client id of an email, from the admin's client search. */
export async function clientId(admin, email) {
  const r = await admin.get(`/staff/admin/clients?q=${encodeURIComponent(email)}`);
  const m = /href="\/staff\/admin\/clients\/(\d+)"/.exec(r.body);
  if (!m) throw new Error(`no client ${email} in /staff/admin/clients?q=...: ${pageText(r.body).slice(0, 300)}`);
  return Number(m[1]);
}

// ---- reading pages -------------------------------------------------------------------

export function mainHtml(html) {
  const m = /<main[\s\S]*?<\/main>/i.exec(html);
  return m ? m[0] : '';
}

/** The rows of the queue table: [{number, subject, client, department, status, statusLabel, priority, assignee}]. */
export function queueRows(html) {
  const table = /<table class="data queue-table">[\s\S]*?<\/table>/i.exec(html);
  if (!table) return [];
  return [...table[0].matchAll(/<tr>([\s\S]*?)<\/tr>/g)].filter((r) => /<td/.test(r[1])).map((r) => {
    const cells = [...r[1].matchAll(/<td\b[^>]*>([\s\S]*?)<\/td>/g)].map((c) => pageText(c[1]));
    return {
      number: /\/staff\/tickets\/(\d+)/.exec(r[1])?.[1],
      subject: cells[1], client: cells[2], department: cells[3], statusLabel: cells[4],
      status: /class="badge status-([a-z-]+)"/.exec(r[1])?.[1],
      priority: /class="priority priority-([a-z]+)"/.exec(r[1])?.[1],
      priorityLabel: cells[5], assignee: cells[6], waiting: cells[7],
    };
  });
}

export function queueNumbers(html) {
  return queueRows(html).map((r) => r.number);
}

/** The decoded href of the "Mais antigos →" link, or null. */
export function olderLink(html) {
  const m = /<a href="([^"]+)">\s*Mais antigos\s*→\s*<\/a>/.exec(html);
  return m ? decodeEntities(m[1]) : null;
}

/** The status badge, priority and department in the header of a staff ticket page. */
export function ticketMeta(html) {
  const p = /<p class="ticket-meta">([\s\S]*?)<\/p>/.exec(html)?.[1] || '';
  return {
    status: /badge status-([a-z-]+)/.exec(p)?.[1] || null,
    statusLabel: pageText(/<span class="badge[^"]*">([\s\S]*?)<\/span>/.exec(p)?.[1] || ''),
    priority: /priority priority-([a-z]+)/.exec(p)?.[1] || null,
    priorityLabel: pageText(/<span class="priority[^"]*">([\s\S]*?)<\/span>/.exec(p)?.[1] || ''),
    text: pageText(p),
  };
}

/**
 * The thread of a staff or client ticket page, in page order:
 * [{kind: 'message'|'event', classes, author, role, text, attachments: [{url, name}]}].
 */
export function threadItems(html) {
  const ol = /<ol class="thread">([\s\S]*?)<\/ol>/i.exec(html);
  if (!ol) return [];
  return [...ol[1].matchAll(/<li class="([^"]*)">([\s\S]*?)<\/li>\s*(?=<li class="|$)/g)].map((m) => {
    const classes = m[1].split(/\s+/);
    const li = m[2];
    if (classes.includes('event')) {
      return { kind: 'event', classes, text: pageText(/<span>([\s\S]*?)<\/span>/.exec(li)?.[1] || li) };
    }
    return {
      kind: 'message', classes,
      internal: classes.includes('internal'),
      author: pageText(/<strong class="author">([\s\S]*?)<\/strong>/.exec(li)?.[1] || ''),
      role: pageText(/<span class="role">([\s\S]*?)<\/span>/.exec(li)?.[1] || ''),
      text: pageText(/<div class="body">([\s\S]*?)<\/div>/.exec(li)?.[1] || ''),
      bodyHtml: /<div class="body">([\s\S]*?)<\/div>/.exec(li)?.[1] || '',
      attachments: [...li.matchAll(/<a href="([^"]+\/attachments\/\d+)" download>([^<]*)<\/a>/g)]
        .map((a) => ({ url: a[1], name: decodeEntities(a[2]), id: Number(/(\d+)$/.exec(a[1])[1]) })),
    };
  });
}

export const messages = (html) => threadItems(html).filter((i) => i.kind === 'message');
export const events = (html) => threadItems(html).filter((i) => i.kind === 'event').map((e) => e.text);

/** The value of a hidden/text input inside the form posting to `action` (or anywhere). */
export function formInput(html, name, action) {
  let scope = html;
  if (action) {
    const esc = action.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    scope = new RegExp(`<form[^>]*action="${esc}"[\\s\\S]*?</form>`).exec(html)?.[0] || '';
  }
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`).exec(scope)?.[0];
  if (!tag) return null;
  const v = /\bvalue="([^"]*)"/.exec(tag);
  return v ? decodeEntities(v[1]) : '';
}

export function textareaById(html, id) {
  const m = new RegExp(`<textarea\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</textarea>`).exec(html);
  return m ? decodeEntities(m[1]) : null;
}

/** The <option>s of <select id=id>: [{value, text, selected}]. */
export function selectOptions(html, id) {
  const m = new RegExp(`<select\\b[^>]*\\bid="${id}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!m) return null;
  return [...m[1].matchAll(/<option\b([^>]*)>([\s\S]*?)<\/option>/g)].map((o) => ({
    value: decodeEntities(/\bvalue="([^"]*)"/.exec(o[1])?.[1] ?? ''), text: pageText(o[2]), selected: /\bselected\b/.test(o[1]),
  }));
}

export function selected(html, id) {
  return selectOptions(html, id)?.find((o) => o.selected)?.value ?? null;
}

export function flash(html) {
  const m = /<div class="flash[^"]*"[^>]*>([\s\S]*?)<\/div>/i.exec(html);
  return m ? pageText(m[1]) : null;
}

/** The visible error alerts of a page (text). */
export function alerts(html) {
  return [...mainHtml(html).matchAll(/<div class="alert error"[^>]*>([\s\S]*?)<\/div>/g)].map((m) => pageText(m[1]));
}

/** The dashboard's counts table: {departmentName: {id, counts: {status: n}}}. */
export function dashboardCounts(html) {
  const table = /<table class="data counts">([\s\S]*?)<\/table>/.exec(html)?.[1];
  const out = {};
  if (!table) return out;
  for (const row of table.matchAll(/<tr><th scope="row"><a href="\/staff\/tickets\?department=(\d+)">([^<]*)<\/a><\/th>([\s\S]*?)<\/tr>/g)) {
    const counts = {};
    for (const c of row[3].matchAll(/status=([a-z-]+)">(\d+)<\/a>/g)) counts[c[1]] = Number(c[2]);
    out[decodeEntities(row[2])] = { id: Number(row[1]), counts };
  }
  return out;
}

// ---- sending the forms -------------------------------------------------------------

/**
 * Reply as the browser does: GET the ticket (submission key, seen) unless
 * given, then POST /staff/tickets/N/reply. Options: files, seen, submission,
 * confirm, page (an already-read page body to take seen/submission from).
 */
export async function staffReply(c, number, message, { files = [], seen, submission, confirm, page } = {}) {
  const action = `/staff/tickets/${number}/reply`;
  if (seen === undefined || submission === undefined) {
    const body = page ?? (await c.get(`/staff/tickets/${number}`)).body;
    if (seen === undefined) seen = formInput(body, 'seen', action);
    if (submission === undefined) submission = formInput(body, 'submission', action);
  }
  const fields = { submission, seen, message };
  if (confirm) fields.confirm = '1';
  return postMultipart(c, action, fields, files);
}

/** Add an internal note (GET the page for its submission key first). */
export async function staffNote(c, number, message, { files = [], submission } = {}) {
  const action = `/staff/tickets/${number}/note`;
  if (submission === undefined) submission = formInput((await c.get(`/staff/tickets/${number}`)).body, 'submission', action);
  return postMultipart(c, action, { submission, message }, files);
}

/**
 * Send the changes form the way a browser does: every select with its current
 * value, overridden by `changes` ({status, priority, department, assignee}).
 */
export async function staffUpdate(c, number, changes) {
  const page = await c.get(`/staff/tickets/${number}`);
  if (page.status !== 200) return c.post(`/staff/tickets/${number}/update`, changes);
  const form = {
    status: selected(page.body, 'a-status'), priority: selected(page.body, 'a-priority'),
    department: selected(page.body, 'a-department'), assignee: selected(page.body, 'a-assignee') ?? '0',
    ...Object.fromEntries(Object.entries(changes).map(([k, v]) => [k, String(v)])),
  };
  return c.post(`/staff/tickets/${number}/update`, form);
}

export function staffMerge(c, number, into) {
  return c.post(`/staff/tickets/${number}/merge`, { into: String(into) });
}

// ---- mail ---------------------------------------------------------------------------

/** Every email of DATA_DIR/mail as one searchable string (raw + decoded parts). */
export function mailHaystacks(dataDir) {
  return mailFiles(dataDir).map((m) => ({
    m, to: m.toAddresses, subject: m.subject || '',
    all: [m.raw, m.subject || '', m.text || '', m.html || '', ...m.parts.map((p) => String(p.content ?? ''))].join('\n'),
  }));
}

/** Raw bytes of every file under DATA_DIR (db, mail, attachments...) that contain needle, as paths. */
export function filesContaining(dir, needle, { skip = /\.db(-wal|-shm)?$/ } = {}) {
  const hits = [];
  const walk = (d) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const f = path.join(d, e.name);
      if (e.isDirectory()) walk(f);
      else if (!skip.test(e.name) && fs.readFileSync(f).includes(needle)) hits.push(f);
    }
  };
  walk(dir);
  return hits;
}

/**
 * Run one SQL statement on a running server's database. Uses the harness's
 * runSql (SQLite or PostgreSQL) when tests/lib/server.mjs has it; otherwise
 * the sqlite3 CLI on DATA_DIR/chamado.db (5 s busy timeout).
 */
export function runSql(server, sql) {
  if (typeof serverLib.runSql === 'function') return serverLib.runSql(server, sql);
  const r = spawnSync('sqlite3', ['-cmd', '.timeout 5000', path.join(server.dataDir, 'chamado.db'), sql], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`sqlite3 ${sql}: ${r.stderr || r.error?.message}`);
  return r.stdout.trim();
}
