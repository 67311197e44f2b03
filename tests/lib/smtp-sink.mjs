// A real SMTP sink for the end-to-end suites: Debian's aiosmtpd with its Mailbox
// handler (every message lands as one file in DIR/new/), plus a small parser that
// is enough to check headers and find links in an email.
//
//   const sink = await startSmtpSink();          // free port, fresh maildir
//   startServer({ env: { CHAMADO_SMTP_URL: sink.url } })
//   const [m] = await sink.waitForMessages(1, { to: 'a@b.c' });
//   m.subject, m.header('auto-submitted'), m.text, m.html, m.links
//   await sink.stop(); await sink.start();       // an outage, same port
//   await sink.close();                          // stop and remove the maildir
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { freePort, makeTempDir, removeDir, plainError, sleep } from './server.mjs';

// /usr/bin/python3 on purpose: the python3 first on PATH may lack Debian's modules.
export const SINK_PYTHON = process.env.SMTP_SINK_PYTHON || '/usr/bin/python3';

/** Resolves true when something on 127.0.0.1:port answers with an SMTP 220 greeting. */
function greets(port, timeoutMs = 1000) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    let data = '';
    const done = (v) => {
      clearTimeout(timer);
      sock.destroy();
      resolve(v);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    sock.setEncoding('latin1');
    sock.on('data', (d) => {
      data += d;
      if (/^220[ -]/.test(data)) {
        sock.end('QUIT\r\n');
        done(true);
      }
    });
    sock.on('error', () => done(false));
    sock.on('close', () => done(false));
  });
}

/** Resolves true when nothing accepts connections on 127.0.0.1:port. */
function refused(port) {
  return new Promise((resolve) => {
    const sock = net.connect(port, '127.0.0.1');
    sock.on('connect', () => { sock.destroy(); resolve(false); });
    sock.on('error', () => resolve(true));
  });
}

/**
 * Start the sink. options: port (a free one if not given), dir (a fresh temp dir
 * if not given; removed by close() only when we made it), timeoutMs (60 s).
 */
export async function startSmtpSink(options = {}) {
  const port = options.port || (await freePort());
  const ownDir = !options.dir;
  const dir = options.dir || (await makeTempDir('chamado-smtp-'));
  let proc = null;
  let exit = null;
  let stderr = '';

  const sink = {
    port,
    dir,
    url: `smtp://127.0.0.1:${port}`,
    get running() { return proc !== null && exit === null; },
    get stderr() { return stderr; },

    /** Start aiosmtpd (again) on the same port and wait for its 220 greeting. */
    async start({ timeoutMs = options.timeoutMs || 60000 } = {}) {
      if (sink.running) return;
      exit = null;
      stderr = '';
      // Python's Maildir makes tmp/ new/ cur/ only when DIR itself does not exist yet.
      for (const sub of ['tmp', 'new', 'cur']) fs.mkdirSync(path.join(dir, sub), { recursive: true });
      const p = spawn(SINK_PYTHON,
        ['-m', 'aiosmtpd', '-n', '-l', `127.0.0.1:${port}`, '-c', 'aiosmtpd.handlers.Mailbox', dir],
        { stdio: ['ignore', 'ignore', 'pipe'] });
      proc = p;
      p.stderr.setEncoding('utf8');
      p.stderr.on('data', (d) => { stderr = (stderr + d).slice(-20000); });
      p.on('error', (e) => { stderr += `\nspawn failed: ${e.message}`; });
      p.on('exit', (code, signal) => { if (proc === p) exit = { code, signal }; });
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        if (exit) {
          proc = null;
          throw plainError(`the SMTP sink (${SINK_PYTHON} -m aiosmtpd) exited early ` +
            `(code ${exit.code}, signal ${exit.signal}) on port ${port}\n${stderr.slice(-3000)}`);
        }
        if (await greets(port)) return;
        if (Date.now() > deadline) {
          await sink.stop();
          throw plainError(`the SMTP sink did not greet on 127.0.0.1:${port} within ${timeoutMs} ms\n${stderr.slice(-3000)}`);
        }
        await sleep(50);
      }
    },

    /** Stop aiosmtpd (SIGTERM, then SIGKILL) and wait until the port refuses connections. */
    async stop() {
      const p = proc;
      if (!p) return;
      if (exit === null) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        const t = await Promise.race([gone.then(() => true), sleep(3000).then(() => false)]);
        if (!t) {
          p.kill('SIGKILL');
          await gone;
        }
      }
      proc = null;
      exit = null;
      for (let i = 0; i < 100 && !(await refused(port)); i++) await sleep(20);
    },

    /** Stop and remove the maildir (if this helper made it). */
    async close() {
      await sink.stop();
      if (ownDir) await removeDir(dir);
    },

    /** The files in DIR/new/, oldest first. */
    files() {
      const d = path.join(dir, 'new');
      let names;
      try {
        names = fs.readdirSync(d);
      } catch {
        return [];
      }
      return names
        .map((n) => {
          const file = path.join(d, n);
          return { file, mtime: fs.statSync(file).mtimeMs };
        })
        .sort((a, b) => a.mtime - b.mtime || a.file.localeCompare(b.file))
        .map((f) => f.file);
    },

    /** Every message received so far, parsed, oldest first. */
    messages() {
      return sink.files().map((f) => ({ ...parseMessage(fs.readFileSync(f)), file: f }));
    },

    /** Messages to this address (case-insensitive match on To). */
    messagesTo(address) {
      return sink.messages().filter((m) => m.toAddresses.includes(address.toLowerCase()));
    },

    /**
     * Wait until at least n messages (to `to`, when given) are there; returns them.
     * Throws a readable error after timeoutMs.
     */
    async waitForMessages(n = 1, { to, timeoutMs = 30000 } = {}) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const list = to ? sink.messagesTo(to) : sink.messages();
        if (list.length >= n) return list;
        if (Date.now() > deadline) {
          const all = sink.messages().map((m) => `  To: ${m.header('to')} | Subject: ${m.subject}`).join('\n');
          throw plainError(`timed out after ${timeoutMs} ms waiting for ${n} message(s)` +
            `${to ? ` to ${to}` : ''} at the SMTP sink; got ${list.length}. All messages so far:\n${all || '  (none)'}`);
        }
        await sleep(50);
      }
    },
  };

  await sink.start();
  return sink;
}

// ---- parsing -------------------------------------------------------------------

function decodeBytes(bytes, charset = 'utf-8') {
  try {
    return new TextDecoder(charset.toLowerCase().replace(/^"|"$/g, ''), { fatal: false }).decode(bytes);
  } catch {
    return new TextDecoder('utf-8').decode(bytes);
  }
}

/** Quoted-printable body (or Q-encoded word with underscores when `q` is true) to bytes. */
export function decodeQuotedPrintable(text, { q = false } = {}) {
  const s = (q ? text.replace(/_/g, ' ') : text).replace(/=\r?\n/g, '');
  const bytes = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(s.slice(i + 1, i + 3))) {
      bytes.push(parseInt(s.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      const code = s.charCodeAt(i);
      if (code < 0x80) bytes.push(code);
      else bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Uint8Array.from(bytes);
}

/** Decode RFC 2047 encoded words (B and Q) in a header value. */
export function decodeHeader(value) {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  // Whitespace between two adjacent encoded words is not part of the text.
  const joined = value.replace(/(=\?[^?\s]+\?[BbQq]\?[^?\s]*\?=)\s+(?==\?[^?\s]+\?[BbQq]\?)/g, '$1');
  return joined.replace(word, (_, charset, enc, data) => {
    const cs = charset.split('*')[0];
    const bytes = enc.toUpperCase() === 'B' ? Buffer.from(data, 'base64') : decodeQuotedPrintable(data, { q: true });
    return decodeBytes(bytes, cs);
  });
}

/** Split raw header text into [{name, value}] (unfolded, raw value). */
function parseHeaderBlock(block) {
  const out = [];
  for (const line of block.split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length) out[out.length - 1].value += ' ' + line.trim();
    else {
      const i = line.indexOf(':');
      if (i > 0) out.push({ name: line.slice(0, i).trim().toLowerCase(), value: line.slice(i + 1).trim() });
    }
  }
  return out;
}

/** Content-Type (or similar) value into {type, params}. */
export function parseContentType(value = 'text/plain') {
  const [type, ...rest] = value.split(';');
  const params = {};
  for (const p of rest) {
    const m = /^\s*([^=\s]+)\s*=\s*(?:"((?:[^"\\]|\\.)*)"|([^;\s]*))/.exec(p);
    if (m) params[m[1].toLowerCase()] = m[2] !== undefined ? m[2] : m[3];
  }
  return { type: type.trim().toLowerCase(), params };
}

function splitHeadBody(raw) {
  const m = /\r?\n\r?\n/.exec(raw);
  if (!m) return { head: raw, body: '' };
  return { head: raw.slice(0, m.index), body: raw.slice(m.index + m[0].length) };
}

/** Parse one MIME entity (latin1 string of the raw bytes) into a tree. */
function parseEntity(raw) {
  const { head, body } = splitHeadBody(raw);
  const headers = parseHeaderBlock(head);
  const get = (n) => headers.find((h) => h.name === n)?.value;
  const ct = parseContentType(get('content-type'));
  const entity = { headers, contentType: ct.type, params: ct.params, parts: [], content: null };
  if (ct.type.startsWith('multipart/') && ct.params.boundary) {
    const b = ct.params.boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    const pieces = body.split(new RegExp(`^--${b}(?:--)?[ \\t]*\\r?$\\n?`, 'm'));
    // pieces[0] is the preamble, the last one the epilogue after the closing boundary.
    const closing = new RegExp(`^--${b}--`, 'm').test(body);
    const inner = pieces.slice(1, closing ? -1 : undefined);
    entity.parts = inner.map((p) => parseEntity(p.replace(/\r?\n$/, '')));
    return entity;
  }
  const cte = (get('content-transfer-encoding') || '7bit').toLowerCase();
  let bytes;
  if (cte === 'quoted-printable') bytes = decodeQuotedPrintable(body);
  else if (cte === 'base64') bytes = Buffer.from(body.replace(/\s+/g, ''), 'base64');
  else bytes = Buffer.from(body, 'latin1');
  entity.content = decodeBytes(bytes, ct.params.charset || 'utf-8');
  return entity;
}

function leaves(entity) {
  return entity.parts.length ? entity.parts.flatMap(leaves) : [entity];
}

function decodeEntities(html) {
  return html.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_, e) => {
    const l = e.toLowerCase();
    if (l === 'amp') return '&';
    if (l === 'lt') return '<';
    if (l === 'gt') return '>';
    if (l === 'quot') return '"';
    if (l === 'apos') return "'";
    return String.fromCodePoint(l.startsWith('#x') ? parseInt(l.slice(2), 16) : parseInt(l.slice(1), 10));
  });
}

/**
 * Parse a raw message (Buffer or string). Returns
 *   {raw, headers: [{name, value}], header(name) (decoded, first), headerAll(name),
 *    subject, messageId, contentType, root (MIME tree), parts: [{contentType, content}],
 *    text, html, links (http(s) URLs from text and html hrefs), toAddresses}
 */
export function parseMessage(input) {
  const raw = Buffer.isBuffer(input) ? input.toString('latin1') : input;
  const root = parseEntity(raw);
  const headerAll = (name) => root.headers.filter((h) => h.name === name.toLowerCase()).map((h) => decodeHeader(h.value));
  const header = (name) => headerAll(name)[0];
  const parts = leaves(root).map((e) => ({ contentType: e.contentType, params: e.params, headers: e.headers, content: e.content }));
  const text = parts.find((p) => p.contentType === 'text/plain')?.content ?? null;
  const html = parts.find((p) => p.contentType === 'text/html')?.content ?? null;
  const links = new Set();
  for (const m of (text || '').matchAll(/https?:\/\/[^\s<>"')]+/g)) links.add(m[0]);
  for (const m of (html || '').matchAll(/href\s*=\s*"([^"]*)"/gi)) links.add(decodeEntities(m[1]));
  const to = header('to') || '';
  const toAddresses = [...to.matchAll(/[^\s<>,"]+@[^\s<>,"]+/g)].map((m) => m[0].toLowerCase());
  return {
    raw,
    headers: root.headers,
    header,
    headerAll,
    subject: header('subject'),
    messageId: header('message-id'),
    contentType: root.contentType,
    root,
    parts,
    text,
    html,
    links: [...links],
    toAddresses,
  };
}

/**
 * The .eml files a server writes when it has no CHAMADO_SMTP_URL
 * (DATA_DIR/mail/*.eml), parsed, oldest first (by their leading number, then mtime).
 */
export function emlMessages(dataDir) {
  const d = path.join(dataDir, 'mail');
  let names;
  try {
    names = fs.readdirSync(d).filter((n) => n.endsWith('.eml'));
  } catch {
    return [];
  }
  const num = (n) => (/^(\d+)/.exec(n) ? Number(/^(\d+)/.exec(n)[1]) : Infinity);
  return names
    .map((n) => ({ n, file: path.join(d, n), mtime: fs.statSync(path.join(d, n)).mtimeMs }))
    .sort((a, b) => num(a.n) - num(b.n) || a.mtime - b.mtime || a.n.localeCompare(b.n))
    .map(({ file }) => ({ ...parseMessage(fs.readFileSync(file)), file }));
}
