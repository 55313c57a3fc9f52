// The local provider's pages: sign-in, consent, errors and sign-out — plain accessible HTML forms with
// no script, so a browser test and a fetch-driven test fill in the very same form.

/** Escapes text for HTML element content and double-quoted attribute values. */
export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

/** Sent with every page: nothing loads but the inline style, and no page may be framed. */
export const PAGE_HEADERS: Readonly<Record<string, string>> = {
  'content-type': 'text/html; charset=utf-8',
  'cache-control': 'no-store',
  'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f5f7;color:#1b1f24}
main{max-width:26rem;margin:3rem auto;padding:1.5rem 2rem;background:#fff;border:1px solid #c9ced6;border-radius:6px}
h1{font-size:1.4rem;margin:0 0 1rem}label{display:block;margin:.75rem 0 .25rem;font-weight:600}
input{width:100%;box-sizing:border-box;padding:.5rem;font:inherit;border:1px solid #6b7380;border-radius:4px}
button{margin:1rem .5rem 0 0;padding:.5rem 1rem;font:inherit;border-radius:4px;border:1px solid #1d4ed8;background:#1d4ed8;color:#fff;cursor:pointer}
button.secondary{background:#fff;color:#1d4ed8}:focus-visible{outline:3px solid #f59e0b;outline-offset:2px}
.error{padding:.5rem .75rem;border:1px solid #b42318;background:#fef3f2;color:#8a1c12;border-radius:4px}
.hint{color:#4b5563;font-size:.9rem}`;

function page(title: string, body: string): string {
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Podscope test provider</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>
`;
}

export interface LoginPageInput {
  /** The interaction id (its path segment). */
  uid: string;
  /** Who asks: the client's id. */
  clientId: string;
  /** The login name to fill in again after a failed attempt. */
  login?: string;
  /** Why the last attempt failed. */
  error?: string;
}

export function loginPage(input: LoginPageInput): string {
  const uid = encodeURIComponent(input.uid);
  const error =
    input.error === undefined
      ? ''
      : `<p class="error" id="login-error" role="alert">${escapeHtml(input.error)}</p>\n`;
  const describedBy = input.error === undefined ? '' : ' aria-describedby="login-error"';
  const invalid = input.error === undefined ? '' : ' aria-invalid="true"';
  return page(
    'Sign in',
    `<h1>Sign in to ${escapeHtml(input.clientId)}</h1>
${error}<form method="post" action="/interaction/${uid}/login" novalidate>
<label for="username">Email or user name</label>
<input id="username" name="username" type="text" autocomplete="username" required autofocus value="${escapeHtml(input.login ?? '')}"${describedBy}${invalid}>
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}${invalid}>
<button type="submit">Sign in</button>
</form>
<form method="post" action="/interaction/${uid}/abort">
<button type="submit" class="secondary">Cancel</button>
</form>
<p class="hint">Test users: dana, victor, olga, nora (password: <i>name</i>-password).</p>`,
  );
}

/** What each scope lets the client see, in words. */
export const SCOPE_WORDS: Readonly<Record<string, string>> = {
  openid: 'who you are (your account id)',
  email: 'your email address',
  profile: 'your name',
  groups: 'the groups you belong to',
  offline_access: 'stay signed in: refresh your access while you are away',
};

export interface ConsentPageInput {
  uid: string;
  clientId: string;
  /** The email of the person signed in. */
  who: string;
  /** Scopes the client asks for that the person has not granted yet. */
  scopes: readonly string[];
  /** Claims asked for beyond the scopes. */
  claims: readonly string[];
}

export function consentPage(input: ConsentPageInput): string {
  const uid = encodeURIComponent(input.uid);
  const items = [
    ...input.scopes.map((s) => SCOPE_WORDS[s] ?? `scope ${s}`),
    ...input.claims.map((c) => `claim ${c}`),
  ];
  const list =
    items.length === 0
      ? '<p>No new information is shared.</p>'
      : `<ul>\n${items.map((i) => `<li>${escapeHtml(i)}</li>`).join('\n')}\n</ul>`;
  return page(
    'Allow access',
    `<h1>Allow ${escapeHtml(input.clientId)} to know</h1>
<p>Signed in as <strong>${escapeHtml(input.who)}</strong>.</p>
${list}
<form method="post" action="/interaction/${uid}/confirm">
<button type="submit">Allow</button>
</form>
<form method="post" action="/interaction/${uid}/abort">
<button type="submit" class="secondary">Deny</button>
</form>`,
  );
}

export function errorPage(error: string, description?: string): string {
  return page(
    'Sign-in failed',
    `<h1>Sign-in failed</h1>
<p role="alert"><strong>${escapeHtml(error)}</strong>${description ? `: ${escapeHtml(description)}` : ''}</p>`,
  );
}

/** RP-initiated logout's question; `form` is oidc-provider's hidden form (id `op.logoutForm`). */
export function logoutPage(form: string, host: string): string {
  return page(
    'Sign out',
    `<h1>Sign out of ${escapeHtml(host)}?</h1>
${form}
<button type="submit" form="op.logoutForm" name="logout" value="yes" autofocus>Yes, sign me out</button>
<button type="submit" form="op.logoutForm" class="secondary">No, stay signed in</button>`,
  );
}

export function loggedOutPage(): string {
  return page('Signed out', '<h1>Signed out</h1>\n<p>You are signed out of the test provider.</p>');
}
