// The layers of docs/architecture.md hold: handlers never reach SQL, the
// domain never knows HTTP, and the check that says so fails when they do.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ROOT } from '../lib/server.mjs';

const check = path.join(ROOT, 'scripts/check-layers');

function run(srcDir) {
  return spawnSync(check, srcDir ? [srcDir] : [], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
}

// A src/ holding only a copy of one file, with one line added at its top.
function copyWith(file, line) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'chamado-layers-'));
  const target = path.join(dir, 'src', file);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, `${line}\n${fs.readFileSync(path.join(ROOT, 'src', file), 'utf8')}`);
  return dir;
}

test('every include in src/ follows the layers', () => {
  const r = run();
  assert.equal(r.status, 0, `forbidden includes:\n${r.stdout}${r.stderr}`);
  assert.match(r.stdout, /every include follows the layers/);
});

for (const [file, header, layer] of [
  ['web/tickets.c', 'store/ticket_store.h', 'web'],
  ['domain/ticket.c', 'http/request.h', 'domain'],
  ['domain/inbound.c', 'web/page.h', 'domain'],
  ['domain/ticket.c', 'mail/compose.h', 'domain'],
  ['mail/mail_in.c', 'store/ticket_store.h', 'mail'],
  ['store/ticket_store.c', 'domain/ticket.h', 'store'],
]) {
  test(`the check fails, naming the file and the include, when ${file} includes ${header}`, () => {
    const dir = copyWith(file, `#include "${header}"`);
    try {
      const r = run(path.join(dir, 'src'));
      assert.equal(r.status, 1, r.stdout + r.stderr);
      assert.ok(r.stdout.includes(`src/${file}:1: ${layer} may not include "${header}"`), r.stdout);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
}
