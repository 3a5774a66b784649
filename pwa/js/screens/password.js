// Passwords: the page a one-time link opens (an invitation or a reset: choose a password, then signed
// in), and "Change my password" for a signed-in user. Both need the server.
import { ApiError, NetworkError, currentAuth, saveAuth } from '../api.js';
import { el } from '../dom.js';

const MIN_LENGTH = 12;

function passwordFields(prefix, label, minLength) {
  const first = el('input', { id: `${prefix}-new`, type: 'password', autocomplete: 'new-password', required: true,
                              minlength: String(minLength), 'aria-describedby': `${prefix}-rule` });
  const again = el('input', { id: `${prefix}-again`, type: 'password', autocomplete: 'new-password', required: true });
  const show = el('input', { id: `${prefix}-show`, type: 'checkbox' });
  show.addEventListener('change', () => { first.type = again.type = show.checked ? 'text' : 'password'; });
  const nodes = [
    el('div', { class: 'field' }, el('label', { for: first.id, text: label }), first,
      el('span', { id: `${prefix}-rule`, class: 'hint',
                   text: `At least ${minLength} characters. A few words you will remember work well; common passwords are refused.` })),
    el('div', { class: 'field' }, el('label', { for: again.id, text: 'Type it again' }), again),
    el('label', { class: 'check' }, show, ' Show the password'),
  ];
  // What is wrong before asking the server (which checks again, with its breached list).
  const problem = () => {
    if (first.value.length < minLength) return { field: first, text: `The password needs at least ${minLength} characters.` };
    if (first.value !== again.value) return { field: again, text: 'The two passwords differ.' };
    return null;
  };
  return { nodes, first, again, problem };
}

function say(box, text) {
  box.textContent = text;
  box.hidden = false;
}

function serverProblem(err, doing) {
  if (err instanceof NetworkError) return `No connection: ${doing} needs the network.`;
  return err.message; // the server says what is wrong with the password in words for the person choosing it
}

// /app/set-password#<token>: the link an admin sent. Public: the person is not signed in yet.
export async function renderSetPassword(root, params, app) {
  document.title = 'Choose a password · Fieldscan';
  const token = location.hash.slice(1) || sessionStorage.getItem('fieldscan-link') || '';
  // Out of the address bar and the history at once; kept for this tab only, in case of a reload.
  if (location.hash) {
    sessionStorage.setItem('fieldscan-link', token);
    history.replaceState(null, '', location.pathname);
  }
  const heading = el('h1', { text: 'Choose a password' });
  const intro = el('p', { id: 'setpw-intro', class: 'muted', text: 'Checking the link…' });
  root.append(heading, intro);
  const dead = (text) => {
    sessionStorage.removeItem('fieldscan-link');
    intro.className = 'notice';
    intro.id = 'setpw-dead';
    intro.textContent = text;
    root.append(el('a', { class: 'btn btn-primary btn-big btn-block', href: '/app/signin', text: 'Go to sign-in' }));
  };
  if (!token) { dead('This link is incomplete. Open the whole link you were sent, or ask an admin for a new one.'); return undefined; }
  let info;
  try {
    info = await app.api.post('/auth/password-link', { token }, { auth: false });
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) dead('This link was already used or has expired. Ask an admin for a new one.');
    else dead(serverProblem(err, 'setting a password'));
    return undefined;
  }
  const invite = info.purpose === 'invite';
  heading.textContent = invite ? 'Welcome to Fieldscan' : 'Choose a new password';
  intro.className = '';
  intro.textContent = `${invite ? 'Choose a password' : 'Choose a new password'} for ${info.email}.`;
  const fields = passwordFields('setpw', 'New password', info.minLength || MIN_LENGTH);
  const error = el('div', { id: 'setpw-error', class: 'error', role: 'alert', hidden: true });
  const submit = el('button', { id: 'setpw-submit', type: 'submit', class: 'btn btn-primary btn-big btn-block',
                                text: invite ? 'Set password and sign in' : 'Change password and sign in' });
  const signedInAs = currentAuth();
  const form = el('form', { id: 'setpw-form', class: 'form', novalidate: true },
    // A hidden username lets the phone's password manager file the new password under the right account.
    el('input', { type: 'email', autocomplete: 'username', value: info.email, hidden: true, readonly: true }),
    ...fields.nodes,
    signedInAs && signedInAs.user && signedInAs.user.email !== info.email
      ? el('p', { class: 'notice', text: `This phone is signed in as ${signedInAs.user.email}; it will be signed in as ${info.email} instead.` })
      : null,
    error, el('div', { class: 'bottom-actions' }, submit));
  root.append(form);
  fields.first.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    const wrong = fields.problem();
    if (wrong) { say(error, wrong.text); wrong.field.focus(); return; }
    submit.disabled = true;
    try {
      const answer = await app.api.post('/auth/set-password', { token, password: fields.first.value }, { auth: false });
      sessionStorage.removeItem('fieldscan-link');
      await saveAuth(answer);
      app.refreshHeader();
      app.toast(`Password set. Signed in as ${answer.user.email}`, 'ok');
      app.navigate('/app/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.details && err.details.token) {
        say(error, 'This link was already used or has expired. Ask an admin for a new one.');
      } else {
        say(error, serverProblem(err, 'setting a password'));
        fields.first.select();
      }
      submit.disabled = false;
    }
  });
  return undefined;
}

// /app/account: the signed-in user changes their own password.
export async function renderAccount(root, params, app) {
  document.title = 'My password · Fieldscan';
  const auth = app.auth;
  const current = el('input', { id: 'account-current', type: 'password', autocomplete: 'current-password', required: true });
  const fields = passwordFields('account', 'New password', MIN_LENGTH);
  const error = el('div', { id: 'account-error', class: 'error', role: 'alert', hidden: true });
  const submit = el('button', { id: 'account-submit', type: 'submit', class: 'btn btn-primary btn-big btn-block', text: 'Change password' });
  const form = el('form', { id: 'account-form', class: 'form', novalidate: true },
    el('input', { type: 'email', autocomplete: 'username', value: (auth.user && auth.user.email) || '', hidden: true, readonly: true }),
    el('div', { class: 'field' }, el('label', { for: current.id, text: 'Current password' }), current),
    ...fields.nodes, error,
    el('div', { class: 'bottom-actions' }, submit, el('a', { class: 'btn btn-quiet btn-block', href: '/app/', text: 'Cancel' })));
  root.append(el('h1', { text: 'My password' }),
    el('p', { class: 'muted', text: `Signed in as ${(auth.user && auth.user.email) || ''}. Changing it signs you out on your other phones.` }),
    form);
  current.focus();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!current.value) { say(error, 'Enter your current password.'); current.focus(); return; }
    const wrong = fields.problem();
    if (wrong) { say(error, wrong.text); wrong.field.focus(); return; }
    submit.disabled = true;
    try {
      const answer = await app.api.post('/me/password', { currentPassword: current.value, newPassword: fields.first.value });
      await saveAuth(answer);
      app.refreshHeader();
      app.toast('Password changed', 'ok');
      app.navigate('/app/', { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.details && err.details.currentPassword) {
        say(error, 'The current password is not right.');
        current.select();
      } else {
        say(error, serverProblem(err, 'changing the password'));
      }
      submit.disabled = false;
    }
  });
  return undefined;
}
