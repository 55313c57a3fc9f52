// Where the local provider may send people back to. Tests run Podscope on random ports, so the client
// `podscope` may not list its redirect URIs exactly (which oidc-provider otherwise requires): any port on
// the hosts Podscope runs on in the test environment is accepted, with the callback path fixed.

/** Hosts Podscope runs on here: this machine, and the node IP (Podscope in a pod, reached via NodePort). */
export const CALLBACK_HOSTS: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '10.213.0.1']);
export const CALLBACK_PATH = '/auth/callback';

/** The registered redirect URIs (the client metadata needs some; the rule below decides). */
export const REGISTERED_REDIRECT_URIS = [...CALLBACK_HOSTS].map((h) => `http://${h}${CALLBACK_PATH}`);

function parse(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

function onCallbackHost(url: URL): boolean {
  return (
    (url.protocol === 'http:' || url.protocol === 'https:') &&
    CALLBACK_HOSTS.has(url.hostname) &&
    url.username === '' &&
    url.password === '' &&
    url.hash === ''
  );
}

/**
 * Whether the authorization request's `redirect_uri` is allowed: http(s) on one of the callback hosts,
 * any port, path `/auth/callback` (or a path ending in it, for Podscope served under a prefix), no query.
 */
export function callbackUriAllowed(value: string): boolean {
  const url = parse(value);
  return (
    url !== undefined &&
    onCallbackHost(url) &&
    url.search === '' &&
    (url.pathname === CALLBACK_PATH || url.pathname.endsWith(CALLBACK_PATH))
  );
}

/** Whether RP-initiated logout may send the person to `value`: any page of Podscope on a callback host. */
export function postLogoutUriAllowed(value: string): boolean {
  const url = parse(value);
  return url !== undefined && onCallbackHost(url);
}
