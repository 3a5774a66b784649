// The service worker and the app agree on the shell: run with `node --test tests/unit_js/`.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const PWA = new URL('../../pwa/', import.meta.url);
const read = (path) => readFileSync(new URL(path, PWA), 'utf8');

test('sw.js and app.js carry the same VERSION', () => {
  const worker = /const VERSION = '([^']+)'/.exec(read('sw.js'));
  const app = /export const VERSION = '([^']+)'/.exec(read('js/app.js'));
  assert.ok(worker && app, 'both files declare VERSION');
  assert.equal(worker[1], app[1]);
});

const listed = (name) => new Set(new RegExp(`const ${name} = \\[([\\s\\S]*?)\\];`).exec(read('sw.js'))[1]
  .match(/'[^']+'/g).map((quoted) => quoted.slice(1, -1)));

test('the worker caches every module of the app: the shell at install, network-only screens on first use', () => {
  const shell = listed('PRECACHE');
  const later = listed('ON_DEMAND');
  const precache = new Set([...shell, ...later]);
  // What a technician needs offline is in the shell.
  for (const path of ['/app/js/screens/scan.js', '/app/js/screens/quickadd.js', '/app/js/screens/sessions.js',
                      '/app/js/scan/missing.js', '/app/js/outbox.js']) assert.ok(shell.has(path), path);
  assert.deepEqual([...later].filter((path) => shell.has(path)), []);
  const modules = readdirSync(new URL('js/', PWA), { recursive: true })
    .filter((name) => name.endsWith('.js'))
    .map((name) => `/app/js/${name.split('\\').join('/')}`);
  assert.ok(modules.includes('/app/js/connectivity.js'));
  assert.deepEqual(modules.filter((path) => !precache.has(path)), []);
});
