// Helpers for the account suites: create accounts with the CLI, read cookies and
// the visible text of a page.
import { runCli, describeRun } from './server.mjs';

let counter = 0;

/** A fresh, unique address for this run. */
export function uniqueEmail(prefix = 'user') {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}@teste.example`;
}

/**
 * Create an account with `chamado user add` on the server's database.
 * Returns {email, name, password}.
 */
export async function addUser(server, { email = uniqueEmail(), name = 'Pessoa Teste', password = 'senha-forte-123', staff = false } = {}) {
  const r = await runCli(['user', 'add', staff ? '--staff' : '--client', '--email', email, '--name', name,
    '--password-stdin', '--db', server.dbUrl], { input: `${password}\n` });
  if (r.code !== 0) throw new Error(`chamado user add ${email} failed\n${describeRun(r)}`);
  return { email, name, password };
}

/** The Set-Cookie line for `name` in a fetch Response, parsed: {value, attrs: {lowercased: value|true}, line}. */
export function setCookie(res, name) {
  for (const line of res.headers.getSetCookie()) {
    const [pair, ...rest] = line.split(';');
    const eq = pair.indexOf('=');
    if (pair.slice(0, eq).trim() !== name) continue;
    const attrs = {};
    for (const a of rest) {
      const i = a.indexOf('=');
      if (i < 0) attrs[a.trim().toLowerCase()] = true;
      else attrs[a.slice(0, i).trim().toLowerCase()] = a.slice(i + 1).trim();
    }
    return { value: pair.slice(eq + 1).trim(), attrs, line };
  }
  return null;
}

export function decodeEntities(s) {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos|nbsp);/gi, (_, e) => {
    const l = e.toLowerCase();
    const named = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };
    if (named[l]) return named[l];
    return String.fromCodePoint(l.startsWith('#x') ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10));
  });
}

/** The visible text of an HTML page (tags removed, entities decoded, spaces collapsed). */
export function pageText(html) {
  return decodeEntities(html.replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ').replace(/<[^>]+>/g, ' '))
    .replace(/\s+/g, ' ')
    .trim();
}

/** The <main> element's text. */
export function mainText(html) {
  const m = /<main[\s\S]*?<\/main>/i.exec(html);
  return pageText(m ? m[0] : html);
}

/** The value attribute of the input with this name (entities decoded), or null. */
export function inputValue(html, name) {
  const tag = new RegExp(`<input[^>]*\\bname="${name}"[^>]*>`, 'i').exec(html);
  if (!tag) return null;
  const v = /\bvalue="([^"]*)"/i.exec(tag[0]);
  return v ? decodeEntities(v[1]) : '';
}

/** The account name shown in the page header (the account menu's summary), or null. */
export function headerName(html) {
  const header = /<header[\s\S]*?<\/header>/i.exec(html);
  if (!header) return null;
  const m = /<details[^>]*class="[^"]*account-menu[^"]*"[^>]*>\s*<summary>([^<]*)<\/summary>/i.exec(header[0]);
  return m ? decodeEntities(m[1]).trim() : null;
}

/** Short description of a response for assertion messages. */
export function describeResponse(r) {
  return `status ${r.status}${r.location ? `, Location ${r.location}` : ''}; page text: ${mainText(r.body).slice(0, 400)}`;
}
