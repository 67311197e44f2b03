// Helpers for the JSON API suites: tokens from the CLI, calls with either
// kind of authentication, and a loopback webhook receiver.
import http from 'node:http';
import crypto from 'node:crypto';
import { runCli, describeRun } from './server.mjs';

/** A token from `chamado token add` for the staff member with email. */
export async function makeToken(server, email, name = 'Teste') {
  const r = await runCli(['token', 'add', '--staff', '--email', email, '--name', name, '--db', server.dbUrl]);
  if (r.code !== 0) throw new Error(`chamado token add failed\n${describeRun(r)}`);
  const lines = r.stdout.trim().split('\n');
  if (lines.length !== 1) throw new Error(`token add printed more than the token: ${r.stdout}`);
  return lines[0];
}

/**
 * Calls the API. auth: {token, email} (Basic "EMAIL/token:TOKEN" when email
 * is given, else Bearer), or null for none. Returns {status, headers, json, text}.
 */
export async function api(server, auth, method, path, body, { headers = {}, raw } = {}) {
  const h = { ...headers };
  if (auth && auth.email) h.Authorization = `Basic ${Buffer.from(`${auth.email}/token:${auth.token}`).toString('base64')}`;
  else if (auth) h.Authorization = `Bearer ${auth.token}`;
  let payload;
  if (raw !== undefined) payload = raw;
  else if (body !== undefined) payload = JSON.stringify(body);
  if (payload !== undefined && !h['Content-Type']) h['Content-Type'] = 'application/json';
  const res = await server.fetch(path, { method, headers: h, body: payload });
  const text = await res.text();
  let json = null;
  try {
    json = text ? JSON.parse(text) : null;
  } catch {
    json = null;
  }
  return { status: res.status, headers: res.headers, json, text };
}

export function describeApi(r) {
  return `${r.status} ${r.text.slice(0, 600)}`;
}

/** The signature a delivery must carry: "sha256=" + HMAC(secret, "ts.body"). */
export function signature(secret, timestamp, body) {
  return 'sha256=' + crypto.createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

/**
 * A webhook receiver on 127.0.0.1: records every POST {headers, body, json}.
 * listen(port) / close() let a test take it down and bring it back on the
 * same port.
 */
export function webhookReceiver() {
  const got = [];
  let srv = null;
  const r = {
    got,
    port: 0,
    url: () => `http://127.0.0.1:${r.port}/hook`,
    async listen(port = 0) {
      srv = http.createServer((req, res) => {
        const chunks = [];
        req.on('data', (c) => chunks.push(c));
        req.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json = null;
          try {
            json = JSON.parse(body);
          } catch {
            json = null;
          }
          got.push({ headers: req.headers, body, json, path: req.url });
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.end('ok');
        });
      });
      await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(port, '127.0.0.1', resolve);
      });
      r.port = srv.address().port;
    },
    async close() {
      if (!srv) return;
      const s = srv;
      srv = null;
      s.closeAllConnections?.();
      await new Promise((resolve) => s.close(resolve));
    },
  };
  return r;
}
