// Fixtures for the ticket suites: real little files (PNG, PDF, text) as bytes,
// the demo accounts, helpers to open a ticket through the form, and the emails
// the default mail mode writes as DATA_DIR/mail/*.eml.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { waitFor } from './server.mjs';
import { parseMessage } from './smtp-sink.mjs';
import { postMultipart, file } from './multipart.mjs';

export const CLIENT = { email: 'cliente@exemplo.com.br', password: 'cliente123', name: 'Maria Souza' };
export const STAFF = { email: 'admin@exemplo.com.br', password: 'admin1234' };
export const DEPARTMENTS = { 1: 'Suporte Técnico', 2: 'Financeiro', 3: 'Vendas' };
export const SERVICES = { 1: 'Hospedagem Pro — mariasouza.com.br', 2: 'mariasouza.com.br' };
export const STATUS_WORDS = ['Aberto', 'Respondido', 'Resposta do Cliente', 'Em espera', 'Em andamento', 'Fechado'];

// ---- files -----------------------------------------------------------------------

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = CRC_TABLE[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'latin1'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}

/** A valid RGB PNG of w×h: a diagonal gradient between two colours. */
export function makePng(w, h, [r1, g1, b1], [r2, g2, b2]) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(w, 0);
  ihdr.writeUInt32BE(h, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // RGB
  const raw = Buffer.alloc((w * 3 + 1) * h);
  for (let y = 0; y < h; y++) {
    raw[y * (w * 3 + 1)] = 0;
    for (let x = 0; x < w; x++) {
      const t = (x + y) / (w + h - 2 || 1);
      const o = y * (w * 3 + 1) + 1 + x * 3;
      raw[o] = Math.round(r1 + (r2 - r1) * t);
      raw[o + 1] = Math.round(g1 + (g2 - g1) * t);
      raw[o + 2] = Math.round(b1 + (b2 - b1) * t);
    }
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr), chunk('IDAT', zlib.deflateSync(raw)), chunk('IEND', Buffer.alloc(0)),
  ]);
}

/** A 32×24 blue-to-green PNG. */
export const PNG = makePng(32, 24, [30, 90, 200], [40, 180, 120]);
/** A 20×20 orange-to-red PNG (different bytes from PNG). */
export const PNG2 = makePng(20, 20, [250, 170, 40], [200, 40, 40]);

/** A minimal one-page PDF. */
export const PDF = Buffer.from(
  '%PDF-1.4\n' +
  '1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n' +
  '2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n' +
  '3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] >> endobj\n' +
  'trailer << /Root 1 0 R >>\n%%EOF\n', 'latin1');

/** A UTF-8 text file (a log excerpt). */
export const TEXT = Buffer.from('[2024-05-02 10:31:07] PHP Fatal error: Allowed memory size exhausted\n' +
  'Linha com acentuação: ação, coração, não\n', 'utf8');

/** An HTML page, to be refused when it pretends to be an image. */
export const HTML = Buffer.from('<!DOCTYPE html>\n<html><head><title>x</title></head>' +
  '<body><script>alert(1)</script><p>not an image</p></body></html>\n', 'utf8');

export { file };

// ---- opening tickets -----------------------------------------------------------

/** GET the Abrir Ticket form of a department; returns {status, body, csrf, submission}. */
export async function ticketForm(client, department = 1) {
  const r = await client.get(`/tickets/new?department=${department}`);
  const sub = /name="submission" value="([^"]*)"/.exec(r.body);
  return { status: r.status, body: r.body, csrf: client.csrf, submission: sub ? sub[1] : null };
}

/**
 * Open a ticket the way the form does (GET the form, POST /tickets).
 * Options: department (1), subject, message, service (0), priority (medium),
 * files ([]), submission (a fresh one from the form). Returns
 * {status, location, body, number (from the 303, or null), submission}.
 */
export async function openTicket(client, options = {}) {
  const {
    department = 1, subject = 'Site fora do ar', message = 'O site mostra erro 500 desde hoje cedo.',
    service = 0, priority = 'medium', files = [],
  } = options;
  let submission = options.submission;
  if (submission === undefined) {
    const form = await ticketForm(client, department);
    if (form.status !== 200 || !form.submission) {
      throw new Error(`GET /tickets/new?department=${department} answered ${form.status} without a submission key`);
    }
    submission = form.submission;
  }
  const r = await postMultipart(client, '/tickets',
    { submission, department, subject, service, priority, message }, files);
  const m = /^\/tickets\/(\d{6})$/.exec(r.location || '');
  return { status: r.status, location: r.location, body: r.body, number: m ? m[1] : null, submission };
}

/** The ticket numbers (in order) linked from a /tickets list page. */
export function listedNumbers(html) {
  const table = /<table[\s\S]*?<\/table>/i.exec(html);
  if (!table) return [];
  const out = [];
  for (const m of table[0].matchAll(/<tr>[\s\S]*?<a href="\/tickets\/(\d+)">/g)) out.push(m[1]);
  return out;
}

// ---- mail files ----------------------------------------------------------------

/** Every DATA_DIR/mail/*.eml, parsed (smtp-sink's parser), oldest first. */
export function mailFiles(dataDir) {
  const dir = path.join(dataDir, 'mail');
  let names;
  try {
    names = fs.readdirSync(dir).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  return names
    .map((n) => {
      const f = path.join(dir, n);
      return { f, mtime: fs.statSync(f).mtimeMs };
    })
    .sort((a, b) => a.mtime - b.mtime || a.f.localeCompare(b.f))
    .map(({ f }) => ({ ...parseMessage(fs.readFileSync(f)), file: f }));
}

/** Wait until the emails matching pred are at least n; returns them. */
export async function waitForMail(dataDir, pred, { n = 1, timeoutMs = 30000, what = 'an email' } = {}) {
  try {
    return await waitFor(() => {
      const list = mailFiles(dataDir).filter(pred);
      return list.length >= n ? list : null;
    }, { timeoutMs, intervalMs: 50, message: what });
  } catch {
    const all = mailFiles(dataDir).map((m) => `  To: ${m.header('to')} | Subject: ${m.subject}`).join('\n');
    throw new Error(`timed out after ${timeoutMs} ms waiting for ${n} × ${what} in ${dataDir}/mail; ` +
      `emails there:\n${all || '  (none)'}`);
  }
}
