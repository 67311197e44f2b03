// A browser-like HTTP client for the end-to-end suites: keeps cookies,
// remembers the CSRF token of the last page it read, and posts forms with it.
export class Client {
  constructor(server) {
    this.server = server;
    this.cookies = new Map();
    this.csrf = null;
    this.lastBody = '';
  }

  cookieHeader() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }

  keepCookies(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const gone = attrs.some((a) => /^\s*max-age=0\s*$/i.test(a)) || value === '';
      if (gone) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(path, init = {}) {
    const headers = { ...(init.headers || {}) };
    const cookie = this.cookieHeader();
    if (cookie) headers.Cookie = cookie;
    const res = await this.server.fetch(path, { ...init, headers });
    this.keepCookies(res);
    const body = await res.text();
    const m = /name="csrf" value="([^"]+)"/.exec(body);
    if (m) this.csrf = m[1];
    this.lastBody = body;
    return { res, status: res.status, body, location: res.headers.get('location') };
  }

  get(path, headers = {}) {
    return this.request(path, { headers });
  }

  /** Posts an urlencoded form, adding the CSRF token unless form.csrf is given (null: none). */
  async post(path, form = {}, headers = {}) {
    const fields = { ...form };
    if (!('csrf' in fields)) {
      if (!this.csrf) await this.get('/');
      fields.csrf = this.csrf;
    }
    if (fields.csrf === null) delete fields.csrf;
    return this.request(path, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
    });
  }

  /** Follows a 303 the way a browser does. */
  async follow(r) {
    assertRedirect(r);
    return this.get(r.location);
  }
}

function assertRedirect(r) {
  if (r.status < 300 || r.status > 399 || !r.location) {
    throw new Error(`expected a redirect, got ${r.status}: ${r.body.slice(0, 300)}`);
  }
}

/** Signs in as a client (or staff with staff: true) and returns the client. */
export async function signIn(server, email, password, { staff = false } = {}) {
  const c = new Client(server);
  const page = staff ? '/staff/login' : '/login';
  await c.get(page);
  const r = await c.post(page, { email, password });
  if (r.status !== 303) throw new Error(`sign-in as ${email} answered ${r.status}: ${r.body.slice(0, 300)}`);
  return c;
}
