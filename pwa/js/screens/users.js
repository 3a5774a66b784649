// Users (admins): who has access, invite someone with a one-time link, change a role, deactivate,
// send a password reset link. Needs the server: nothing here is kept for offline use.
import { NetworkError } from '../api.js';
import { copyText, el, option } from '../dom.js';

const ROLES = [
  ['technician', 'Technician', 'scans, quick-adds, views'],
  ['manager', 'Manager', 'also starts and finishes audits, edits assets, prints'],
  ['admin', 'Admin', 'also manages users, keys, printers and settings'],
];
const ROLE_NAME = Object.fromEntries(ROLES.map(([value, label]) => [value, label]));
const STATUS_TEXT = { active: 'Active', invited: 'Invited, no password yet', deactivated: 'Deactivated' };

const isAdmin = (app) => Boolean(app.auth && app.auth.user && app.auth.user.role === 'admin');

function notForYou(root) {
  root.replaceChildren(
    el('h1', { text: 'Users' }),
    el('p', { id: 'users-not-admin', class: 'notice', text: 'Only an admin manages users. Ask an admin to invite someone or change a role.' }),
    el('a', { class: 'btn btn-primary btn-big btn-block', href: '/app/', text: 'Back to audits' }));
}

function problemText(err, doing) {
  if (err instanceof NetworkError) return `No connection: ${doing} needs the network.`;
  return err.message;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' }) : 'never';
}

// The one-time link, shown once: copy it or hand it to the share sheet (mail, chat).
function linkPanel(app, user, link) {
  const invite = link.purpose === 'invite';
  const input = el('input', { id: 'user-link', type: 'text', readonly: true, value: link.url, 'aria-label': 'One-time link' });
  const buttons = [el('button', {
    type: 'button', id: 'user-link-copy', class: 'btn btn-primary btn-big',
    text: 'Copy link',
    onclick: async () => app.toast(await copyText(link.url) ? 'Link copied' : 'Could not copy: select the link and copy it', 'ok'),
  })];
  if (navigator.share) {
    buttons.push(el('button', {
      type: 'button', id: 'user-link-share', class: 'btn btn-big', text: 'Share',
      onclick: () => navigator.share({
        title: 'Fieldscan',
        text: invite ? `You are invited to Fieldscan (${user.email}). Choose your password here:` : `Reset your Fieldscan password (${user.email}):`,
        url: link.url,
      }).catch(() => {}),
    }));
  }
  return el('section', { id: 'user-link-panel', class: 'link-panel', 'aria-labelledby': 'user-link-title' },
    el('h2', { id: 'user-link-title', text: invite ? `Invitation for ${user.email}` : `Password reset link for ${user.email}` }),
    el('p', { class: 'muted', text: `Send this link to ${user.name || user.email}. It works once, until ${when(link.expiresAt)}, `
      + 'and is shown only now.' }),
    input,
    el('div', { class: 'btn-row' }, ...buttons));
}

function userRow(user) {
  return el('li', {},
    el('a', { class: 'row', href: `/app/users/${encodeURIComponent(user.id)}`, 'data-testid': 'user-row', 'data-email': user.email },
      el('div', { class: 'row-line' },
        el('span', { class: 'row-title', text: user.name || user.email }),
        el('span', { class: `chip chip-role chip-${user.status}`, text: ROLE_NAME[user.role] || user.role })),
      el('div', { class: 'row-meta', text: user.name ? user.email : '' }),
      el('div', { class: 'row-meta', 'data-testid': 'user-status', text: STATUS_TEXT[user.status] || user.status })));
}

export async function render(root, params, app) {
  document.title = 'Users · Fieldscan';
  if (!isAdmin(app)) { notForYou(root); return undefined; }
  const search = el('input', { id: 'users-search', type: 'search', placeholder: 'Search by name or email',
                               'aria-label': 'Search users', autocomplete: 'off' });
  const status = el('select', { id: 'users-status', 'aria-label': 'Show' },
    option('', 'Everyone', true), option('active', 'Active'), option('invited', 'Invited'),
    option('deactivated', 'Deactivated'));
  const list = el('ul', { id: 'users', class: 'list', 'aria-busy': 'true' });
  const note = el('p', { id: 'users-note', class: 'muted', role: 'status', text: 'Loading users…' });
  const more = el('button', { type: 'button', id: 'users-more', class: 'btn btn-block', hidden: true, text: 'Show more' });
  root.append(
    el('div', { class: 'screen-title' }, el('h1', { text: 'Users' })),
    el('div', { class: 'users-filters' }, search, status),
    note, list, more,
    el('div', { class: 'bottom-actions' },
      el('a', { id: 'users-invite', class: 'btn btn-primary btn-big btn-block', href: '/app/users/new', text: 'Invite someone' }),
      el('a', { class: 'btn btn-quiet btn-block', href: '/app/', text: 'Back to audits' })));

  let seq = 0;
  let cursor = null;
  async function load({ append = false } = {}) {
    const mine = ++seq;
    const query = { limit: 50, sort: 'name' };
    if (search.value.trim()) query.q = search.value.trim();
    if (status.value) query.status = status.value;
    if (append && cursor) query.cursor = cursor;
    list.setAttribute('aria-busy', 'true');
    try {
      const page = await app.api.get('/users', { query });
      if (mine !== seq || !root.isConnected) return;
      const rows = (page.items || []).map(userRow);
      if (append) list.append(...rows); else list.replaceChildren(...rows);
      cursor = page.nextCursor || null;
      more.hidden = !cursor;
      const count = list.children.length;
      note.className = count ? 'muted' : 'empty';
      note.textContent = count ? `${count}${cursor ? '+' : ''} user${count === 1 ? '' : 's'}` : 'Nobody matches.';
    } catch (err) {
      if (mine !== seq || !root.isConnected) return;
      note.className = 'notice';
      note.textContent = problemText(err, 'the user list');
    } finally {
      if (mine === seq) list.removeAttribute('aria-busy');
    }
  }
  let timer = null;
  search.addEventListener('input', () => { clearTimeout(timer); timer = setTimeout(() => load(), 250); });
  status.addEventListener('change', () => load());
  more.addEventListener('click', () => load({ append: true }));
  await load();
  return () => clearTimeout(timer);
}

// The role by name, and what it may do under it (a long option text would be cut off on a phone).
function roleField(id, current) {
  const select = el('select', { id, name: 'role', 'aria-describedby': `${id}-what` },
    ...ROLES.map(([value, label]) => option(value, label, value === current)));
  const what = el('span', { id: `${id}-what`, class: 'hint' });
  const explain = () => { what.textContent = (ROLES.find(([value]) => value === select.value) || [])[2] || ''; };
  select.addEventListener('change', explain);
  explain();
  return el('div', { class: 'field' }, el('label', { for: id, text: 'Role' }), select, what);
}

function showProblem(box, err, doing) {
  box.replaceChildren(document.createTextNode(problemText(err, doing)));
  const details = err && err.details && typeof err.details === 'object' ? err.details : null;
  const items = details ? Object.entries(details).filter(([, v]) => typeof v === 'string')
    .map(([field, problem]) => el('li', { text: `${field}: ${problem}` })) : [];
  if (items.length) box.append(el('ul', {}, ...items));
  box.hidden = false;
}

export async function renderNew(root, params, app) {
  document.title = 'Invite · Fieldscan';
  if (!isAdmin(app)) { notForYou(root); return undefined; }
  const email = el('input', { id: 'invite-email', type: 'email', required: true, autocomplete: 'off', inputmode: 'email',
                              autocapitalize: 'none', spellcheck: 'false', maxlength: '254' });
  const name = el('input', { id: 'invite-name', type: 'text', autocomplete: 'off', maxlength: '200' });
  const error = el('div', { id: 'invite-error', class: 'error', role: 'alert', hidden: true });
  const submit = el('button', { id: 'invite-submit', type: 'submit', class: 'btn btn-primary btn-big btn-block', text: 'Invite' });
  const form = el('form', { id: 'invite-form', class: 'form', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'invite-email', text: 'Email' }), email),
    el('div', { class: 'field' }, el('label', { for: 'invite-name', text: 'Name' }), name),
    roleField('invite-role', 'technician'),
    error,
    el('div', { class: 'bottom-actions' }, submit, el('a', { class: 'btn btn-quiet btn-block', href: '/app/users', text: 'Cancel' })));
  root.append(el('h1', { text: 'Invite someone' }),
    el('p', { class: 'muted', text: 'They get a one-time link to choose their own password.' }), form);
  email.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!email.value.trim()) { showProblem(error, { message: 'Enter their email.' }); email.focus(); return; }
    submit.disabled = true;
    submit.textContent = 'Inviting…';
    try {
      const made = await app.api.post('/users', { email: email.value.trim(), name: name.value.trim(),
                                                  role: form.querySelector('#invite-role').value });
      root.replaceChildren(el('h1', { text: 'Invited' }), linkPanel(app, made.user, made.link),
        el('div', { class: 'bottom-actions' },
          el('a', { id: 'invite-done', class: 'btn btn-big btn-block', href: '/app/users', text: 'Done' })));
    } catch (err) {
      showProblem(error, err, 'inviting');
      submit.disabled = false;
      submit.textContent = 'Invite';
    }
  });
  return undefined;
}

export async function renderOne(root, params, app) {
  document.title = 'User · Fieldscan';
  if (!isAdmin(app)) { notForYou(root); return undefined; }
  let user;
  try {
    user = await app.api.get(`/users/${encodeURIComponent(params.id)}`);
  } catch (err) {
    if (err.status === 404) {
      root.replaceChildren(el('h1', { text: 'No such user' }),
        el('a', { class: 'btn btn-primary btn-big btn-block', href: '/app/users', text: 'Back to users' }));
      return undefined;
    }
    throw err;
  }
  const me = app.auth.user.id === user.id;
  const title = el('h1', { id: 'user-title' });
  const facts = el('dl', { class: 'facts' });
  const error = el('div', { id: 'user-error', class: 'error', role: 'alert', hidden: true });
  const linkBox = el('div', { id: 'user-link-box' });
  const name = el('input', { id: 'user-name', type: 'text', maxlength: '200', autocomplete: 'off' });
  const role = roleField('user-role', user.role);
  const save = el('button', { id: 'user-save', type: 'submit', class: 'btn btn-primary btn-big btn-block', text: 'Save' });
  const toggle = el('button', { id: 'user-toggle', type: 'button', class: 'btn btn-big btn-block' });
  const reset = el('button', { id: 'user-reset', type: 'button', class: 'btn btn-big btn-block' });
  const form = el('form', { id: 'user-form', class: 'form', novalidate: true },
    el('div', { class: 'field' }, el('label', { for: 'user-name', text: 'Name' }), name), role, save);

  const paint = () => {
    title.textContent = user.name || user.email;
    name.value = user.name;
    form.querySelector('#user-role').value = user.role;
    form.querySelector('#user-role').dispatchEvent(new Event('change'));
    facts.replaceChildren(
      el('dt', { text: 'Email' }), el('dd', { text: user.email }),
      el('dt', { text: 'Status' }), el('dd', { id: 'user-status', text: STATUS_TEXT[user.status] || user.status }),
      el('dt', { text: 'Last sign-in' }), el('dd', { text: when(user.lastLoginAt) }));
    toggle.textContent = user.isActive ? 'Deactivate' : 'Reactivate';
    toggle.className = `btn btn-big btn-block ${user.isActive ? 'btn-danger' : ''}`;
    toggle.hidden = me;
    reset.textContent = user.status === 'invited' ? 'New invitation link' : 'Password reset link';
    reset.hidden = !user.isActive;
  };
  const change = async (body, doing) => {
    error.hidden = true;
    try {
      user = await app.api.patch(`/users/${encodeURIComponent(user.id)}`, body);
      paint();
      return true;
    } catch (err) {
      showProblem(error, err, doing);
      return false;
    }
  };
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    if (await change({ name: name.value.trim(), role: form.querySelector('#user-role').value }, 'saving')) app.toast('Saved', 'ok');
    save.disabled = false;
  });
  toggle.addEventListener('click', async () => {
    const off = user.isActive;
    if (off && !window.confirm(`Deactivate ${user.email}? They are signed out at once, on every phone.`)) return;
    toggle.disabled = true;
    if (await change({ isActive: !off }, off ? 'deactivating' : 'reactivating')) {
      app.toast(off ? `${user.email} is deactivated` : `${user.email} can sign in again`, 'ok');
    }
    toggle.disabled = false;
  });
  reset.addEventListener('click', async () => {
    error.hidden = true;
    reset.disabled = true;
    try {
      const link = await app.api.post(`/users/${encodeURIComponent(user.id)}/password-reset`);
      linkBox.replaceChildren(linkPanel(app, user, link));
      linkBox.scrollIntoView({ block: 'nearest' });
    } catch (err) {
      showProblem(error, err, 'a reset link');
    } finally {
      reset.disabled = false;
    }
  });
  paint();
  root.append(title, facts, form, error, linkBox,
    el('div', { class: 'bottom-actions' }, reset, toggle,
      me ? el('p', { class: 'muted', text: 'This is you: another admin can deactivate you.' }) : null,
      el('a', { class: 'btn btn-quiet btn-block', href: '/app/users', text: 'Back to users' })));
  return undefined;
}
