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

test('the worker precaches every module of the app, so it opens offline', () => {
  const list = /const PRECACHE = \[([\s\S]*?)\];/.exec(read('sw.js'))[1];
  const precache = new Set(list.match(/'[^']+'/g).map((quoted) => quoted.slice(1, -1)));
  const modules = readdirSync(new URL('js/', PWA), { recursive: true })
    .filter((name) => name.endsWith('.js'))
    .map((name) => `/app/js/${name.split('\\').join('/')}`);
  assert.ok(modules.includes('/app/js/connectivity.js'));
  assert.deepEqual(modules.filter((path) => !precache.has(path)), []);
});
