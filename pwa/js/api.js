// The API client: base /api/v1, JSON in and out, the signed-in user's Bearer token.
// Failures are values a screen can show: ApiError carries the server's {message, details}.
import * as store from './store.js';
import connectivity, { fromServer } from './connectivity.js';

const BASE = '/api/v1';
const AUTH_KEY = 'current';

export class ApiError extends Error {
  constructor(status, message, details = null) {
    super(message || `Request failed (${status})`);
    this.name = 'ApiError';
    this.status = status;
    this.details = details;
  }
}

export class NetworkError extends Error {
  constructor(message = 'No connection to the server', cause) {
    super(message);
    this.name = 'NetworkError';
    this.cause = cause;
  }
}

// --- who is signed in (kept in IndexedDB store "auth", key "current"; the service worker reads it too)

let current = null;
const unauthorizedListeners = new Set();

function expired(auth) {
  return !auth || !auth.token || (auth.expiresAt && Date.parse(auth.expiresAt) <= Date.now());
}

export async function loadAuth() {
  const saved = await store.get('auth', AUTH_KEY);
  current = expired(saved) ? null : saved;
  return current;
}

export function currentAuth() {
  if (current && expired(current)) current = null;
  return current;
}

export async function saveAuth({ token, expiresAt, user }) {
  current = { token, expiresAt, user, signedInAt: new Date().toISOString() };
  await store.put('auth', AUTH_KEY, current);
  return current;
}

// Signing out forgets the token only: the outbox keeps its scans for the next sign-in.
export async function clearAuth() {
  current = null;
  await store.del('auth', AUTH_KEY);
}

export function onUnauthorized(listener) {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

// --- requests

async function errorFrom(response) {
  let message = '';
  let details = null;
  try {
    const body = await response.json();
    message = body && body.message;
    details = body && body.details !== undefined ? body.details : null;
  } catch {
    message = response.statusText;
  }
  return new ApiError(response.status, message || `Request failed (${response.status})`, details);
}

/**
 * request(method, path, {body, query, headers, raw, auth, signal})
 * - path is under /api/v1 ("/sessions/active"); query is an object of search params.
 * - raw: true returns the Response itself (labels, PDFs, 304 answers) once its status is 2xx or 304.
 * - auth: false sends no token (sign-in).
 */
export async function request(method, path, options = {}) {
  const { body, query, headers = {}, raw = false, auth = true, signal } = options;
  let url = BASE + path;
  if (query) {
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      if (value === undefined || value === null || value === '') continue;
      if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
      else params.append(key, value);
    }
    const text = params.toString();
    if (text) url += (url.includes('?') ? '&' : '?') + text;
  }
  const sent = { Accept: 'application/json', ...headers };
  const signedIn = auth ? currentAuth() : null;
  if (signedIn) sent.Authorization = `Bearer ${signedIn.token}`;
  let payload;
  if (body !== undefined) {
    if (body instanceof FormData || body instanceof Blob) payload = body;
    else {
      payload = JSON.stringify(body);
      sent['Content-Type'] = 'application/json';
    }
  }
  let response;
  try {
    response = await fetch(url, { method, headers: sent, body: payload, signal, credentials: 'same-origin' });
  } catch (err) {
    if (err && err.name === 'AbortError') throw err;
    connectivity.report(false);
    throw new NetworkError(undefined, err);
  }
  // A portal's page is not the server's answer: treated as no network, so a queued scan is kept.
  if (!fromServer(response, sent.Accept)) {
    connectivity.report(false);
    throw new NetworkError();
  }
  connectivity.report(true);
  if (response.status === 401 && signedIn) {
    const error = await errorFrom(response);
    await clearAuth();
    for (const listener of unauthorizedListeners) listener(error);
    throw error;
  }
  if (!response.ok && response.status !== 304) throw await errorFrom(response);
  if (raw) return response;
  if (response.status === 204 || response.status === 304) return null;
  const type = response.headers.get('Content-Type') || '';
  return type.includes('json') ? response.json() : response.text();
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
export const patch = (path, body, options = {}) => request('PATCH', path, { ...options, body });
export const put = (path, body, options = {}) => request('PUT', path, { ...options, body });
export const del = (path, options) => request('DELETE', path, options);

// Every page of a cursor-paged list ({items, nextCursor}), for short lists such as locations.
export async function getAll(path, query = {}, { maxPages = 50 } = {}) {
  const items = [];
  let cursor;
  for (let page = 0; page < maxPages; page += 1) {
    const answer = await get(path, { query: { limit: 200, ...query, cursor } });
    items.push(...(answer.items || []));
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return items;
}

export async function login(email, password) {
  const answer = await request('POST', '/auth/login', { body: { email, password }, auth: false });
  await saveAuth(answer);
  return answer;
}

export const api = {
  request, get, post, patch, put, del, getAll, login,
  loadAuth, currentAuth, saveAuth, clearAuth, onUnauthorized,
  ApiError, NetworkError,
};
export default api;
