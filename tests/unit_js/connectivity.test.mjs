// The PWA decides it is offline from what requests do (pwa/js/connectivity.js): run with `node --test tests/unit_js/`.
import assert from 'node:assert/strict';
import { test } from 'node:test';

import { Connectivity, fromServer, healthy, retryDelay } from '../../pwa/js/connectivity.js';

function answer(body, { status = 200, type = 'application/json', redirected = false } = {}) {
  const text = body === null || typeof body === 'string' ? body : JSON.stringify(body);
  const response = new Response(text, { status, headers: type ? { 'Content-Type': type } : {} });
  Object.defineProperty(response, 'redirected', { value: redirected });
  return response;
}

// Timers that run only when the test says so, and remember each delay asked for.
function manualTimers() {
  const pending = new Map();
  let next = 1;
  return {
    delays: [],
    set(fn, ms) {
      const id = next++;
      pending.set(id, { fn, ms });
      if (ms !== PROBE_TIMEOUT) this.delays.push(ms);
      return id;
    },
    clear(id) { pending.delete(id); },
    // Fire the retry timer (not a probe's timeout).
    fireRetry() {
      const found = [...pending].find(([, timer]) => timer.ms !== PROBE_TIMEOUT);
      assert.ok(found, 'a retry is scheduled');
      pending.delete(found[0]);
      found[1].fn();
    },
    // Fire a probe's timeout, as if the network had not answered in time.
    fireTimeout() {
      const found = [...pending].find(([, timer]) => timer.ms === PROBE_TIMEOUT);
      assert.ok(found, 'a probe is waiting');
      pending.delete(found[0]);
      found[1].fn();
    },
    retries() { return [...pending.values()].filter((timer) => timer.ms !== PROBE_TIMEOUT).length; },
  };
}
const PROBE_TIMEOUT = 4321;

function phone(fetch) {
  const timers = manualTimers();
  const connectivity = new Connectivity({ fetch, timers, timeoutMs: PROBE_TIMEOUT });
  const changes = [];
  connectivity.addEventListener('change', (event) => changes.push(event.detail.online));
  return { connectivity, timers, changes };
}

const serverUp = async () => answer({ status: 'ok' });
const noNetwork = async () => { throw new TypeError('Failed to fetch'); };

test('only our server saying {"status": "ok"} is healthy; a portal page or a redirect is not', async () => {
  assert.equal(await healthy(answer({ status: 'ok' })), true);
  assert.equal(await healthy(answer('<html>Sign in to the Wi-Fi</html>', { type: 'text/html' })), false);
  assert.equal(await healthy(answer('{"status": "ok"}', { redirected: true })), false);
  assert.equal(await healthy(answer({ status: 'ok' }, { status: 503 })), false);
  assert.equal(await healthy(answer({ status: 'starting' })), false);
  assert.equal(await healthy(answer('OK', { type: 'text/plain' })), false);
  assert.equal(await healthy(null), false);
});

test('an API answer counts as the server unless it is a redirect, a 511 or an HTML page nobody asked for', () => {
  const json = 'application/json';
  assert.equal(fromServer(answer({ message: 'Not found' }, { status: 404 }), json), true);
  assert.equal(fromServer(answer({ message: 'Down for a moment' }, { status: 503 }), json), true);
  assert.equal(fromServer(answer(null, { status: 204, type: '' }), json), true);
  assert.equal(fromServer(answer('PNG', { type: 'image/png' }), json), true);
  assert.equal(fromServer(answer('<html>Accept the terms</html>', { type: 'text/html; charset=utf-8' }), json), false);
  assert.equal(fromServer(answer('<html>Report</html>', { type: 'text/html' }), 'text/html'), true);
  assert.equal(fromServer(answer({ ok: 1 }, { redirected: true }), json), false);
  assert.equal(fromServer(answer('Sign in to the network', { status: 511, type: 'text/plain' }), json), false);
});

test('the wait between probes grows from 5 s to 30 s and stays there', () => {
  assert.deepEqual([0, 1, 2, 3, 4, 10].map((n) => retryDelay(n)), [5000, 10000, 20000, 30000, 30000, 30000]);
});

test('a failed request means offline, any answer from the server means online, each change told once', () => {
  const { connectivity, changes } = phone(serverUp);
  assert.equal(connectivity.online, true);
  connectivity.report(false);
  connectivity.report(false);
  assert.equal(connectivity.online, false);
  connectivity.report(true);
  assert.equal(connectivity.online, true);
  assert.deepEqual(changes, [false, true]);
});

test('while offline it probes again with a growing wait until the server answers, then stops', async () => {
  let up = false;
  const calls = [];
  const { connectivity, timers, changes } = phone(async (url, init) => {
    calls.push([url, init.cache]);
    return up ? answer({ status: 'ok' }) : noNetwork();
  });
  assert.equal(await connectivity.check(), false);
  for (let n = 0; n < 4; n += 1) {
    timers.fireRetry();
    assert.equal(await connectivity.probing, false);
  }
  assert.deepEqual(timers.delays, [5000, 10000, 20000, 30000, 30000]);
  up = true;
  timers.fireRetry();
  assert.equal(await connectivity.probing, true);
  assert.equal(timers.retries(), 0);
  assert.deepEqual(changes, [false, true]);
  assert.deepEqual(calls[0], ['/health', 'no-store']);

  // Offline again later: the wait starts from 5 s again.
  connectivity.report(false);
  assert.deepEqual(timers.delays.slice(-1), [5000]);
});

test('a probe that does not answer in time is aborted and counts as offline', async () => {
  const { connectivity, timers } = phone((url, { signal }) => new Promise((resolve, reject) => {
    signal.addEventListener('abort', () => reject(new DOMException('aborted', 'AbortError')));
  }));
  const probe = connectivity.check();
  timers.fireTimeout();
  assert.equal(await probe, false);
  assert.equal(connectivity.online, false);
});

test('probes are single-flight, and a request that finishes meanwhile wins over the probe', async () => {
  let release;
  let calls = 0;
  const { connectivity } = phone(() => { calls += 1; return new Promise((resolve) => { release = resolve; }); });
  const first = connectivity.check();
  assert.equal(connectivity.check(), first);
  connectivity.report(false); // the outbox's request just failed
  release(answer({ status: 'ok' }));
  assert.equal(await first, false);
  assert.equal(calls, 1);
});
