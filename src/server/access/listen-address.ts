// Whether a --host keeps Podscope on this machine. Anything else exposes the kubeconfig's rights to
// whoever reaches the address, so it takes an explicit --allow-remote.
import net from 'node:net';

/** 127.0.0.0/8, ::1 (also as ::ffff:127.x.y.z) and `localhost`. */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .replace(/^\[(.*)\]$/, '$1')
    .toLowerCase();
  if (h === 'localhost') return true;
  if (net.isIPv4(h)) return h.startsWith('127.');
  if (net.isIPv6(h)) {
    if (h === '::1' || /^0{0,4}(:0{0,4}){6}:0{0,3}1$/.test(h)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null && mapped[1]!.startsWith('127.');
  }
  return false;
}

export type ListenCheck = { ok: true; warnings: string[] } | { ok: false; error: string };

/** What the CLI says (and whether it starts) for this --host and these switches. */
export function checkListenOptions(opts: {
  host: string;
  allowRemote: boolean;
  token: boolean;
  /** Whose rights a remote user gets (default "your kubeconfig's rights"). */
  rights?: string;
}): ListenCheck {
  const rights = opts.rights ?? "your kubeconfig's rights";
  const loopback = isLoopbackHost(opts.host);
  if (!loopback && !opts.allowRemote) {
    return {
      ok: false,
      error:
        `--host ${opts.host} is not a loopback address: whoever reaches it${opts.token ? ' (and has the token)' : ''} ` +
        `would act on your clusters with ${rights}. Use --host 127.0.0.1, or add --allow-remote ` +
        `if that is what you want.`,
    };
  }
  const warnings: string[] = [];
  if (!loopback) {
    warnings.push(
      `warning: listening on ${opts.host} (--allow-remote): whoever reaches this address` +
        `${opts.token ? ' and has the token' : ''} acts on your clusters with ${rights}.`,
    );
  }
  if (!opts.token) {
    warnings.push(
      'warning: --no-token: every program on this machine (and whoever reaches the address) can use ' +
        `Podscope with ${rights}; use it only behind your own authenticating proxy.`,
    );
  }
  return { ok: true, warnings };
}
