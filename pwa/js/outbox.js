// Scans and new assets waiting to be sent, kept in IndexedDB so they survive closing the app.
// Rules: sent in the order queued; a 2xx or 4xx answer removes an entry (a 4xx is reported as
// "scan-rejected" or "create-rejected"); no server (see connectivity.js), a 5xx or a 429 keeps it and stops
// the flush until the next try. Every answer is also kept in the "meta" store as answer:{clientScanId}, so a
// scan screen opened later (or reloaded) shows what the server said about scans sent while it was away.
// A new asset (kind "create", made offline by quick-add) goes first; the scan of it that follows names it by
// its clientId (itemClientId) and is sent with the id the server gave.
// A queued scan undone on the phone is removed (cancel) if it never left; one that was ever sent (it is
// marked "attempted" before it goes: the server may have counted it even if the answer was lost) is flagged
// "undo" instead, so it is undone on the server as soon as it is answered, even after a reload. It is then
// sent again as replayOnly: the server answers the first answer if the scan arrived, or a 404 if it never
// did (and nothing happens: a taken-back "Move here" never moves the asset).
// Events: "scan-queued" {entry}, "scan-synced" {entry, answer, undone, undoError}, "scan-rejected" {entry, error},
// "asset-created" {entry, asset}, "create-rejected" {entry, error}, "count" {count}.
import * as store from './store.js';
import { post, currentAuth, ApiError, NetworkError } from './api.js';
import connectivity from './connectivity.js';

const STORE = 'outbox';
const RETRY_EVERY_MS = 15000;
// With work queued, the server is asked every 2 s whether it is back, so the queue leaves within 2 s of it.
const QUEUED_RETRY_MS = 2000;

export const answerKey = (clientScanId) => `answer:${clientScanId}`;
export const createdKey = (clientId) => `created:${clientId}`;

function errorRecord(error) {
  return { status: error.status || null, message: error.message || String(error), details: error.details || null };
}

class Outbox extends EventTarget {
  constructor() {
    super();
    this.running = null;
    this.again = false;
    this.timer = null;
    this.lastCount = null;
    this.sending = null; // the clientScanId of the scan on its way to the server
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
    if (!entry.code && !entry.itemId && !entry.itemClientId) {
      throw new TypeError('an outbox entry needs a code, an itemId or an itemClientId');
    }
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

  /** Queue a new asset: {clientId, body, sessionId?}. The server makes it once, however often it is sent. */
  async enqueueCreate(entry, { flush = true } = {}) {
    if (!entry || !entry.clientId || !entry.body) throw new TypeError('a new asset needs a clientId and a body');
    const stored = { ...entry, kind: 'create', queuedAt: new Date().toISOString() };
    stored.seq = await store.add(STORE, stored);
    await this.refreshCount();
    if (flush) this.flush().catch((err) => console.error('fieldscan: outbox flush failed', err));
    return stored;
  }

  entries() {
    return store.all(STORE);
  }

  /**
   * Take a queued scan back: answers "removed" (it never left), "undo-on-arrival" (it was sent at least once:
   * the server's count is undone when it answers) or "gone" (already answered: undo it on the server).
   * Decided inside one transaction, and sendScan marks an entry "attempted" in one before it sends it, so
   * the two cannot cross.
   */
  async cancel(clientScanId) {
    let outcome = 'gone';
    await store.writeMany([STORE], (stores) => {
      const request = stores[STORE].getAll();
      request.onsuccess = () => {
        const entry = request.result.find((candidate) => candidate.clientScanId === clientScanId);
        if (!entry) return;
        if (entry.attempted || this.sending === clientScanId) {
          stores[STORE].put({ ...entry, undo: true });
          outcome = 'undo-on-arrival';
        } else {
          stores[STORE].delete(entry.seq);
          outcome = 'removed';
        }
      };
    });
    await this.refreshCount();
    return outcome;
  }

  async count() {
    return store.count(STORE);
  }

  /** One entry fewer, without asking the database (the flush's end counts again). */
  countDown() {
    if (typeof this.lastCount !== 'number' || this.lastCount <= 0) return;
    this.lastCount -= 1;
    this.emit('count', { count: this.lastCount });
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
      const entry = await store.first(STORE);
      if (!entry) return 'drained';
      try {
        if (entry.kind === 'create') await this.sendCreate(entry);
        else await this.sendScan(entry);
      } catch (error) {
        if (error instanceof NetworkError) return 'stopped';
        if (error instanceof ApiError) {
          // 401: the user was signed out; keep the scan for the next sign-in.
          if (error.status === 401) return 'signed-out';
          if (error.status === 429 || error.status === 408 || error.status >= 500) return 'stopped';
          await this.reject(entry, error);
          continue;
        }
        throw error;
      }
    }
  }

  async sendScan(entry) {
    const { sessionId, code, itemId, itemClientId, clientScanId, scannedAt, options } = entry;
    const body = { ...(options || {}), clientScanId, scannedAt };
    if (code) body.code = code;
    else if (itemId) body.itemId = itemId;
    else {
      const created = await store.get('meta', createdKey(itemClientId)).catch(() => null);
      if (!created || !created.id) {
        throw new ApiError(409, 'The new asset this scan counts was not created', { itemClientId: 'not created' });
      }
      body.itemId = created.id;
    }
    this.sending = clientScanId;
    try {
      // Marked before it leaves, in one transaction with the look: taken back before this, it is not sent.
      let live = null;
      await store.writeMany([STORE], (stores) => {
        const request = stores[STORE].get(entry.seq);
        request.onsuccess = () => {
          live = request.result || null;
          if (live && !live.attempted) stores[STORE].put({ ...live, attempted: true });
        };
      });
      if (!live) return;
      if (live.undo) body.replayOnly = true;
      let answer;
      try {
        answer = await post(`/sessions/${encodeURIComponent(sessionId)}/scan`, body);
      } catch (error) {
        if (!(live.undo && error instanceof ApiError && error.status === 404 && error.details && error.details.clientScanId)) {
          throw error;
        }
        // Taken back, and it never arrived: nothing to undo anywhere.
        await store.writeMany([STORE, 'meta'], (stores) => {
          stores.meta.put({ undone: true, at: Date.now() }, answerKey(clientScanId));
          stores[STORE].delete(entry.seq);
        });
        this.countDown();
        this.emit('scan-synced', { entry, answer: null, undone: true, undoError: null });
        return;
      }
      // The answer kept and the entry gone in one transaction: a crash between them cannot lose the answer.
      // An entry flagged "undo" stays until its count is undone.
      let undo = false;
      await store.writeMany([STORE, 'meta'], (stores) => {
        const request = stores[STORE].get(entry.seq);
        request.onsuccess = () => {
          undo = Boolean(request.result && request.result.undo);
          stores.meta.put({ answer, at: Date.now(), ...(undo ? { undone: true } : {}) }, answerKey(clientScanId));
          if (!undo) stores[STORE].delete(entry.seq);
        };
      });
      const undoError = undo ? await this.undoAnswered(sessionId, answer) : null;
      if (undo) {
        // Refused (the audit was completed meanwhile): the answer stands, and says why, for a screen opened later.
        await store.writeMany([STORE, 'meta'], (stores) => {
          if (undoError) stores.meta.put({ answer, at: Date.now(), undoError }, answerKey(clientScanId));
          stores[STORE].delete(entry.seq);
        });
      }
      this.countDown();
      this.emit('scan-synced', { entry, answer, undone: undo, undoError });
    } finally {
      this.sending = null;
    }
  }

  /**
   * The server's count of a scan taken back while it was on its way, undone. Answers null when done (a 409
   * about the scan or the item: undone already by an earlier try, or not this scan's count), else the refusal
   * (a 409 about the audit: completed meanwhile), which the screen shows: the scan stays counted.
   */
  async undoAnswered(sessionId, answer) {
    if (answer.result !== 'accepted' || !answer.scan || !answer.scan.id) return null;
    try {
      await post(`/sessions/${encodeURIComponent(sessionId)}/unscan`, { scanId: answer.scan.id });
      return null;
    } catch (error) {
      const details = (error instanceof ApiError && error.details) || {};
      if (error instanceof ApiError && error.status === 409 && ('scanId' in details || 'state' in details)) return null;
      if (error instanceof ApiError && error.status >= 400 && error.status < 500 && ![401, 408, 429].includes(error.status)) {
        return errorRecord(error);
      }
      throw error;
    }
  }

  async sendCreate(entry) {
    const body = { ...entry.body, clientId: entry.clientId };
    let asset;
    try {
      asset = await post('/inventory-items', entry.sessionId ? { ...body, sessionId: entry.sessionId } : body);
    } catch (error) {
      // The audit it was made in was deleted meanwhile: the asset (labelled, on the shelf) is still made,
      // in the place chosen on the phone or the default one.
      if (!(error instanceof ApiError && error.status === 404 && error.details && error.details.sessionId)) throw error;
      asset = await post('/inventory-items', body);
    }
    await store.put('meta', createdKey(entry.clientId), { id: asset.id, tag: asset.tag, name: asset.name, at: Date.now() });
    await store.del(STORE, entry.seq);
    await this.refreshCount();
    this.emit('asset-created', { entry, asset });
  }

  async reject(entry, error) {
    await store.del(STORE, entry.seq);
    if (entry.kind === 'create') {
      await store.put('meta', createdKey(entry.clientId), { error: errorRecord(error), at: Date.now() }).catch(() => {});
      await this.refreshCount();
      this.emit('create-rejected', { entry, error });
      return;
    }
    if (entry.clientScanId) {
      await store.put('meta', answerKey(entry.clientScanId), { error: errorRecord(error), at: Date.now() }).catch(() => {});
    }
    await this.refreshCount();
    this.emit('scan-rejected', { entry, error });
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
    // Offline with work queued: ask the server every 2 s (a /health probe); its answer starts the flush.
    this.quick = setInterval(() => {
      if (document.visibilityState !== 'visible' || !this.lastCount || this.running) return;
      if (connectivity.online) tryNow();
      else connectivity.check();
    }, QUEUED_RETRY_MS);
    this.refreshCount().catch(() => {});
    tryNow();
  }
}

export const outbox = new Outbox();
export default outbox;
