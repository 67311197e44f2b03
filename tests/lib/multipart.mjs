// multipart/form-data bodies for the end-to-end suites, byte for byte under our
// control (file names, types, repeated fields), plus a Client helper to post one.
//
//   const { body, contentType } = multipartBody({ subject: 'x' }, [file('a.png', PNG)]);
//   await postMultipart(client, '/tickets', { subject: 'x' }, [file('a.png', PNG)]);
import crypto from 'node:crypto';

/** A file part: {field, name, type, data (Buffer)}. */
export function file(name, data, { field = 'attachments', type = 'application/octet-stream' } = {}) {
  return { field, name, type, data: Buffer.isBuffer(data) ? data : Buffer.from(data) };
}

function quote(s) {
  return String(s).replace(/[\r\n"]/g, (c) => ({ '\r': '%0D', '\n': '%0A', '"': '%22' })[c]);
}

/**
 * Build a multipart/form-data body. `fields` is an object or an array of
 * [name, value] pairs (values null/undefined are left out); `files` a list of
 * file() parts. Returns {body (Buffer), contentType, boundary}.
 */
export function multipartBody(fields = {}, files = [], { boundary } = {}) {
  const b = boundary || `----chamado-test-${crypto.randomBytes(12).toString('hex')}`;
  const pairs = Array.isArray(fields) ? fields : Object.entries(fields);
  const chunks = [];
  for (const [name, value] of pairs) {
    if (value === null || value === undefined) continue;
    chunks.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n`));
    chunks.push(Buffer.from(String(value), 'utf8'));
    chunks.push(Buffer.from('\r\n'));
  }
  for (const f of files) {
    chunks.push(Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${quote(f.field || 'attachments')}"; ` +
      `filename="${quote(f.name)}"\r\nContent-Type: ${f.type || 'application/octet-stream'}\r\n\r\n`, 'utf8'));
    chunks.push(f.data);
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${b}--\r\n`));
  return { body: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${b}`, boundary: b };
}

/**
 * POST a multipart form with a Client (tests/lib/client.mjs): its cookies, and
 * its CSRF token unless fields.csrf is given (null: none). Returns what
 * client.request returns: {res, status, body, location}.
 */
export async function postMultipart(client, path, fields = {}, files = [], headers = {}) {
  const all = Array.isArray(fields) ? [...fields] : Object.entries(fields);
  const hasCsrf = all.some(([k]) => k === 'csrf');
  if (!hasCsrf) {
    if (!client.csrf) await client.get('/');
    all.unshift(['csrf', client.csrf]);
  }
  const { body, contentType } = multipartBody(all, files);
  return client.request(path, { method: 'POST', headers: { 'Content-Type': contentType, ...headers }, body });
}
