// Online means our server answers, learned from requests (never navigator.onLine: a Wi-Fi without uplink
// or a captive portal reads online while every request fails). Browser events only start a probe of
// GET /health; while offline it probes again after 5, 10, 20, then every 30 s. Event: "change" {online}.
const HEALTH_URL = '/health';
const PROBE_TIMEOUT_MS = 5000;
const RETRY_MS = [5000, 10000, 20000, 30000];

// A captive portal answers with a redirect, a 511 or its own HTML page where we asked for something else.
export function fromServer(response, accept = '') {
  if (!response || response.redirected || response.status === 511) return false;
  const type = (response.headers && response.headers.get('Content-Type')) || '';
  return !type.includes('text/html') || accept.includes('text/html');
}

// Only our server answers /health with {"status": "ok"}; a portal's "200 OK" page is not it.
export async function healthy(response) {
  if (!response || !response.ok || !fromServer(response)) return false;
  try {
    const body = await response.json();
    return Boolean(body) && body.status === 'ok';
  } catch {
    return false;
  }
}

/** How long to wait before the next probe after `failures` failed probes in a row. */
export function retryDelay(failures) {
  return RETRY_MS[Math.min(Math.max(failures, 0), RETRY_MS.length - 1)];
}

export class Connectivity extends EventTarget {
  constructor({ fetch, timeoutMs = PROBE_TIMEOUT_MS, timers } = {}) {
    super();
    this.fetch = fetch || ((...args) => globalThis.fetch(...args));
    this.timeoutMs = timeoutMs;
    this.timers = timers || { set: (fn, ms) => setTimeout(fn, ms), clear: (id) => clearTimeout(id) };
    this.online = true; // until a request or the first probe says otherwise
    this.failures = 0;
    this.timer = null;
    this.probing = null;
    this.reports = 0;
    this.started = false;
  }

  /** What a request just showed: true when our server answered, false when it could not be reached. */
  report(online) {
    this.reports += 1;
    this.set(Boolean(online));
  }

  set(online) {
    const changed = online !== this.online;
    this.online = online;
    if (online) {
      this.failures = 0;
      this.stopTimer();
    } else {
      this.schedule();
    }
    if (changed) this.dispatchEvent(new CustomEvent('change', { detail: { online } }));
  }

  schedule() {
    if (this.online || this.timer !== null) return;
    this.timer = this.timers.set(() => {
      this.timer = null;
      this.check();
    }, retryDelay(this.failures));
  }

  stopTimer() {
    if (this.timer === null) return;
    this.timers.clear(this.timer);
    this.timer = null;
  }

  /** Probe now (single-flight); resolves to whether the server answers. */
  check() {
    if (this.probing) return this.probing;
    this.stopTimer();
    const reportsBefore = this.reports;
    this.probing = (async () => {
      const ok = await this.probe();
      this.probing = null;
      // A request that finished meanwhile is fresher news than this probe.
      if (this.reports !== reportsBefore) this.schedule();
      else {
        if (!ok && !this.online) this.failures += 1; // the backoff grows only while already offline
        this.set(ok);
      }
      return this.online;
    })();
    return this.probing;
  }

  async probe() {
    const controller = new AbortController();
    const timeout = this.timers.set(() => controller.abort(), this.timeoutMs);
    try {
      const response = await this.fetch(HEALTH_URL, {
        cache: 'no-store', credentials: 'omit', headers: { Accept: 'application/json' }, signal: controller.signal,
      });
      return await healthy(response);
    } catch {
      return false;
    } finally {
      this.timers.clear(timeout);
    }
  }

  /** Probe at boot, and again whenever the browser says the network changed or the app comes to the front. */
  start() {
    if (this.started) return this.probing;
    this.started = true;
    const probe = () => { this.check(); };
    window.addEventListener('online', probe);
    window.addEventListener('offline', probe);
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') probe();
    });
    return this.check();
  }
}

export const connectivity = new Connectivity();
export default connectivity;
