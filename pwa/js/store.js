// The app's IndexedDB: one database, one open connection, promise-based.
// Stores: auth (who is signed in), outbox (scans waiting to be sent, in order),
// packs (offline packs by session id), meta (small cached answers and settings).
const DB_NAME = 'fieldscan';
const DB_VERSION = 1;

let opening = null;

function upgrade(db) {
  if (!db.objectStoreNames.contains('auth')) db.createObjectStore('auth');
  // The key is generated, so entries come back in the order they were queued.
  if (!db.objectStoreNames.contains('outbox')) db.createObjectStore('outbox', { keyPath: 'seq', autoIncrement: true });
  if (!db.objectStoreNames.contains('packs')) db.createObjectStore('packs');
  if (!db.objectStoreNames.contains('meta')) db.createObjectStore('meta');
}

export function open() {
  if (!opening) {
    opening = new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, DB_VERSION);
      request.onupgradeneeded = () => upgrade(request.result);
      request.onsuccess = () => {
        const db = request.result;
        // Another tab is upgrading: let it, and reopen on the next call.
        db.onversionchange = () => { db.close(); opening = null; };
        resolve(db);
      };
      request.onerror = () => { opening = null; reject(request.error); };
      request.onblocked = () => console.warn('fieldscan: database upgrade waits for other tabs to close');
    });
  }
  return opening;
}

function done(request) {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error);
  });
}

async function run(storeName, mode, action) {
  const db = await open();
  const tx = db.transaction(storeName, mode);
  const finished = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
  const result = await done(action(tx.objectStore(storeName)));
  // A write counts only once it is committed.
  if (mode === 'readwrite') await finished;
  else finished.catch(() => {});
  return result;
}

export function get(storeName, key) {
  return run(storeName, 'readonly', (s) => s.get(key));
}

// In stores with in-line keys (outbox) the key lives in the value; pass it as undefined to add.
export function put(storeName, key, value) {
  return run(storeName, 'readwrite', (s) => (s.keyPath ? s.put(value) : s.put(value, key)));
}

export function add(storeName, value) {
  return run(storeName, 'readwrite', (s) => s.add(value));
}

export function del(storeName, key) {
  return run(storeName, 'readwrite', (s) => s.delete(key));
}

export function all(storeName) {
  return run(storeName, 'readonly', (s) => s.getAll());
}

/** The first value in key order (the oldest outbox entry), or undefined: without reading the rest. */
export async function first(storeName) {
  const [value] = await run(storeName, 'readonly', (s) => s.getAll(null, 1));
  return value;
}

/** Writes to several stores in one transaction: fn(stores) gets {name: objectStore}; committed together. */
export async function writeMany(storeNames, fn) {
  const db = await open();
  const tx = db.transaction(storeNames, 'readwrite');
  const finished = new Promise((resolve, reject) => {
    tx.oncomplete = resolve;
    tx.onerror = () => reject(tx.error);
    tx.onabort = () => reject(tx.error || new Error('transaction aborted'));
  });
  try {
    fn(Object.fromEntries(storeNames.map((name) => [name, tx.objectStore(name)])));
  } catch (error) {
    // Nothing of a write that failed half-way is kept (a transaction left alone would commit the first half).
    finished.catch(() => {});
    tx.abort();
    throw error;
  }
  await finished;
}

export function keys(storeName) {
  return run(storeName, 'readonly', (s) => s.getAllKeys());
}

export function count(storeName) {
  return run(storeName, 'readonly', (s) => s.count());
}

export function clear(storeName) {
  return run(storeName, 'readwrite', (s) => s.clear());
}

/** The location a door tag was last scanned at, in any audit on this phone (quick-add's default). */
export async function lastScannedLocation(store = { keys, get }) {
  let best = null;
  try {
    const keys = await store.keys('meta');
    for (const key of keys) {
      if (typeof key !== 'string' || !key.startsWith('location:')) continue;
      const location = await store.get('meta', key);
      if (location && location.id && (!best || (location.rememberedAt || '') > (best.rememberedAt || ''))) best = location;
    }
  } catch {
    return null;
  }
  return best;
}

export const store = { open, get, put, add, del, all, first, writeMany, keys, count, clear };
export default store;
