// Scans waiting to be sent, kept in IndexedDB so they survive closing the app.
// Rules: sent in the order queued; a 2xx or 4xx answer removes an entry (a 4xx is reported as
// "scan-rejected"); no server (see connectivity.js), a 5xx or a 429 keeps it and stops the flush until the next try.
// Events: "scan-queued" {entry}, "scan-synced" {entry, answer}, "scan-rejected" {entry, error},
// "count" {count}.
import * as store from './store.js';
import { post, currentAuth, ApiError, NetworkError } from './api.js';
import connectivity from './connectivity.js';

const STORE = 'outbox';
const RETRY_EVERY_MS = 15000;

class Outbox extends EventTarget {
  constructor() {
    super();
    this.running = null;
    this.again = false;
    this.timer = null;
    this.lastCount = null;
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  /**
   * Queue one scan: {sessionId, code | itemId, clientScanId?, scannedAt?, options?}.
   * Returns the stored entry (with its seq) and starts a flush unless {flush: false}.
   */
  async enqueue(entry, { flush = true } = {}) {
    if (!entry || !entry.sessionId) throw new TypeError('an outbox entry needs a sessionId');
    if (!entry.code && !entry.itemId) throw new TypeError('an outbox entry needs a code or an itemId');
    const stored = {
      ...entry,
      clientScanId: entry.clientScanId || crypto.randomUUID(),
      scannedAt: entry.scannedAt || new Date().toISOString(),
      options: entry.options || {},
      queuedAt: new Date().toISOString(),
    };
    stored.seq = await store.add(STORE, stored);
    this.emit('scan-queued', { entry: stored });
    await this.refreshCount();
    if (flush) this.flush().catch((err) => console.error('fieldscan: outbox flush failed', err));
    return stored;
  }

  entries() {
    return store.all(STORE);
  }

  async count() {
    return store.count(STORE);
  }

  async refreshCount() {
    const count = await this.count();
    if (count !== this.lastCount) {
      this.lastCount = count;
      this.emit('count', { count });
    }
    return count;
  }

  /** Send what is queued. Single-flight: a call while a flush runs waits for that flush (and one more pass). */
  flush() {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      try {
        let outcome;
        do {
          this.again = false;
          outcome = await this.sendQueued();
        } while (this.again && outcome === 'drained');
        return outcome;
      } finally {
        this.running = null;
        await this.refreshCount().catch(() => {});
      }
    })();
    return this.running;
  }

  // One pass in queue order; answers "drained", "stopped" (kept for later) or "signed-out".
  async sendQueued() {
    for (;;) {
      if (!currentAuth()) return 'signed-out';
      if (!connectivity.online) return 'stopped';
      const [entry] = await store.all(STORE).then((list) => list.slice(0, 1));
      if (!entry) return 'drained';
      const { sessionId, code, itemId, clientScanId, scannedAt, options } = entry;
      const body = { ...(options || {}), clientScanId, scannedAt };
      if (code) body.code = code;
      else body.itemId = itemId;
      try {
        const answer = await post(`/sessions/${encodeURIComponent(sessionId)}/scan`, body);
        await store.del(STORE, entry.seq);
        await this.refreshCount();
        this.emit('scan-synced', { entry, answer });
      } catch (error) {
        if (error instanceof NetworkError) return 'stopped';
        if (error instanceof ApiError) {
          // 401: the user was signed out; keep the scan for the next sign-in.
          if (error.status === 401) return 'signed-out';
          if (error.status === 429 || error.status === 408 || error.status >= 500) return 'stopped';
          await store.del(STORE, entry.seq);
          await this.refreshCount();
          this.emit('scan-rejected', { entry, error });
          continue;
        }
        throw error;
      }
    }
  }

  /** Flush on start, when the server answers again, when the app comes back to the front, and every 15 s. */
  start() {
    if (this.timer) return;
    const tryNow = () => { this.flush().catch((err) => console.error('fieldscan: outbox flush failed', err)); };
    connectivity.addEventListener('change', (event) => {
      if (event.detail.online) tryNow();
    });
    document.addEventListener('visibilitychange', () => {
      if (document.visibilityState === 'visible') tryNow();
    });
    this.timer = setInterval(tryNow, RETRY_EVERY_MS);
    this.refreshCount().catch(() => {});
    tryNow();
  }
}

export const outbox = new Outbox();
export default outbox;
