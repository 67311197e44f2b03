// Every text the pages show has a pt-BR translation: the default language
// must never fall back to English text.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT } from '../lib/server.mjs';

test('every template and C text has a pt-BR translation in po/pt_BR.po', () => {
  const r = spawnSync(path.join(ROOT, 'scripts/check-translations'), { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `missing translations:\n${r.stderr}${r.stdout}`);
  assert.match(r.stdout, /every text has a pt-BR translation/);
});
