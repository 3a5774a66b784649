// Sign-in: email and password for the tenant of this address; then back where the user was going.
import { login, currentAuth, ApiError, NetworkError } from '../api.js';

// Only paths inside the app, so a crafted link cannot send a user elsewhere after signing in.
function safeNext(next) {
  return typeof next === 'string' && next.startsWith('/app/') && !next.startsWith('/app/signin') ? next : '/app/';
}

export async function render(root, params, app) {
  const next = safeNext(params.next);
  if (currentAuth()) {
    app.navigate(next, { replace: true });
    return undefined;
  }
  document.title = 'Sign in · Fieldscan';
  root.innerHTML = `
    <h1>Sign in</h1>
    <form id="signin-form" class="form" novalidate>
      <div class="field">
        <label for="signin-email">Email</label>
        <input id="signin-email" name="email" type="email" autocomplete="username" inputmode="email"
               autocapitalize="none" spellcheck="false" required>
      </div>
      <div class="field">
        <label for="signin-password">Password</label>
        <input id="signin-password" name="password" type="password" autocomplete="current-password" required>
      </div>
      <div id="signin-error" class="error" role="alert" hidden></div>
      <div class="bottom-actions">
        <button id="signin-submit" class="btn btn-primary btn-big btn-block" type="submit">Sign in</button>
      </div>
    </form>`;
  const form = root.querySelector('#signin-form');
  const email = root.querySelector('#signin-email');
  const password = root.querySelector('#signin-password');
  const error = root.querySelector('#signin-error');
  const submit = root.querySelector('#signin-submit');
  const showError = (text) => {
    error.textContent = text;
    error.hidden = false;
  };
  email.focus();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    error.hidden = true;
    if (!email.value.trim() || !password.value) {
      showError('Enter your email and password.');
      (email.value.trim() ? password : email).focus();
      return;
    }
    submit.disabled = true;
    submit.textContent = 'Signing in…';
    try {
      const answer = await login(email.value.trim(), password.value);
      const tenant = answer.user && answer.user.tenant;
      app.refreshHeader();
      app.toast(tenant ? `Signed in to ${tenant.name}` : 'Signed in', 'ok');
      app.outbox.flush().catch(() => {});
      app.navigate(next, { replace: true });
    } catch (err) {
      if (err instanceof ApiError && err.status === 401) showError('Wrong email or password');
      else if (err instanceof ApiError && err.status === 404) showError('This address is not a Fieldscan workspace. Check the link you were given.');
      else if (err instanceof ApiError) showError(err.message);
      else if (err instanceof NetworkError) showError('No connection. Signing in needs the network; try again when you are back online.');
      else showError(String(err && err.message ? err.message : err));
      password.select();
    } finally {
      submit.disabled = false;
      submit.textContent = 'Sign in';
    }
  });
  return undefined;
}
