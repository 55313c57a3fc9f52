// Which names this server answers to. A browser sends the name it used in the URL as `Host`, so a page
// whose own name was re-pointed at 127.0.0.1 (DNS rebinding) arrives with that foreign name and is
// refused; the same list decides which `Origin`s count as this server's own.

export interface HostAndPort {
  /** Lower case, IPv6 without brackets. */
  name: string;
  /** null when the header gave none (the scheme's default port). */
  port: number | null;
}

export interface HostAllowlist {
  /** Names that count only with the server's own port: the bind address and the loopback names. */
  local: readonly string[];
  /** Names configured with --allowed-host: with a port, only that port; without one, any port. */
  configured: readonly HostAndPort[];
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '::1'];
const WILDCARD_ADDRESSES = ['0.0.0.0', '::', ''];

/** Parses `name`, `name:port`, `[v6]` or `[v6]:port`; null for anything else. */
export function parseHostAndPort(value: string): HostAndPort | null {
  const m = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]/\s@]+))(?::(\d{1,5}))?$/.exec(value.trim());
  if (!m) return null;
  const port = m[3] === undefined ? null : Number(m[3]);
  if (port !== null && (port < 1 || port > 65535)) return null;
  const name = (m[1] ?? m[2] ?? '').toLowerCase().replace(/\.$/, '');
  if (name === '') return null;
  return { name, port };
}

/**
 * The allowlist for a server bound to `bindHost`. A wildcard bind (0.0.0.0, ::) adds `interfaceAddresses`
 * (IP literals cannot be rebound by a foreign page); names must be configured.
 */
export function buildHostAllowlist(opts: {
  bindHost: string;
  allowedHosts?: readonly string[];
  interfaceAddresses?: readonly string[];
}): HostAllowlist {
  const local = new Set(LOOPBACK_NAMES);
  const bind = opts.bindHost
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  if (WILDCARD_ADDRESSES.includes(bind)) {
    for (const a of opts.interfaceAddresses ?? []) local.add(a.toLowerCase());
  } else {
    local.add(bind);
  }
  const configured: HostAndPort[] = [];
  for (const raw of opts.allowedHosts ?? []) {
    const parsed = parseHostAndPort(raw);
    if (parsed === null)
      throw new Error(`--allowed-host ${JSON.stringify(raw)} is not a host name or address.`);
    configured.push(parsed);
  }
  return { local: [...local], configured };
}

/** Is a request for `host` (a Host header, or an Origin's host with its port made explicit) for us? */
export function isAllowedHost(
  allow: HostAllowlist,
  host: HostAndPort,
  serverPort: number,
  defaultPort = 80,
): boolean {
  const port = host.port ?? defaultPort;
  if (allow.local.includes(host.name) && port === serverPort) return true;
  return allow.configured.some((c) => c.name === host.name && (c.port === null || c.port === port));
}

/** Checks a raw Host header. */
export function isAllowedHostHeader(
  allow: HostAllowlist,
  header: string | undefined,
  serverPort: number,
): boolean {
  if (header === undefined) return false;
  const parsed = parseHostAndPort(header);
  return parsed !== null && isAllowedHost(allow, parsed, serverPort);
}

/**
 * Is `origin` (an Origin header) this server's own page? Yes when it is http(s) on an allowed host
 * (its port made explicit from the scheme), or listed in `allowedOrigins` exactly. "null" never is.
 */
export function isAllowedOrigin(
  allow: HostAllowlist,
  origin: string,
  serverPort: number,
  allowedOrigins: readonly string[] = [],
): boolean {
  if (allowedOrigins.includes(origin)) return true;
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return false;
  const host = parseHostAndPort(url.host);
  if (host === null) return false;
  return isAllowedHost(allow, host, serverPort, url.protocol === 'https:' ? 443 : 80);
}

/** The names a user may reach this server by, for the refusal sentence (e.g. "127.0.0.1:7420"). */
export function describeAllowedHosts(allow: HostAllowlist, serverPort: number): string[] {
  const withPort = (name: string, port: number | null) =>
    `${name.includes(':') ? `[${name}]` : name}${port === null ? '' : `:${port}`}`;
  return [
    ...allow.local.map((n) => withPort(n, serverPort)),
    ...allow.configured.map((c) => withPort(c.name, c.port)),
  ];
}
