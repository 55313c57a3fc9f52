/**
 * Which Kubernetes versions Podscope supports (the three newest minor releases, each tested for real
 * by `npm run test:versions`), and how a server's `/version` answer compares with that range.
 */

export interface MinorVersion {
  major: number;
  minor: number;
}

/** Oldest and newest supported minor release. Keep in step with cluster/lib.sh SUPPORTED_VERSIONS. */
export const SUPPORTED_KUBERNETES: { oldest: MinorVersion; newest: MinorVersion } = {
  oldest: { major: 1, minor: 35 },
  newest: { major: 1, minor: 37 },
};

/** The fields of the API server's `GET /version` answer that matter here. */
export interface ServerVersionInfo {
  major?: string;
  minor?: string;
  gitVersion?: string;
}

export type VersionSupportState = 'supported' | 'too-old' | 'too-new' | 'unknown';

export interface VersionSupport {
  state: VersionSupportState;
  /** As the server reports it (`v1.37.2`, `v1.36.3-gke.100`), or null when it did not say. */
  gitVersion: string | null;
  /** One sentence for the log and the UI; null when supported. */
  warning: string | null;
}

export function formatMinor(v: MinorVersion): string {
  return `${v.major}.${v.minor}`;
}

/**
 * Major/minor from a `/version` answer. Managed offerings write minors such as `37+`; when
 * major/minor are missing or odd, the gitVersion (`v1.37.2-eks-…`) decides.
 */
export function parseServerVersion(info: ServerVersionInfo): MinorVersion | null {
  const major = /^(\d+)\+?$/.exec(info.major ?? '');
  const minor = /^(\d+)\+?$/.exec(info.minor ?? '');
  if (major && minor) return { major: Number(major[1]), minor: Number(minor[1]) };
  const git = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(info.gitVersion ?? '');
  if (git) return { major: Number(git[1]), minor: Number(git[2]) };
  return null;
}

function compare(a: MinorVersion, b: MinorVersion): number {
  return a.major !== b.major ? a.major - b.major : a.minor - b.minor;
}

export function versionSupport(info: ServerVersionInfo): VersionSupport {
  const gitVersion = info.gitVersion?.trim() || null;
  const range = `${formatMinor(SUPPORTED_KUBERNETES.oldest)}–${formatMinor(SUPPORTED_KUBERNETES.newest)}`;
  const v = parseServerVersion(info);
  if (!v) {
    return {
      state: 'unknown',
      gitVersion,
      warning: `The API server did not report a version Podscope understands (${gitVersion ?? 'none'}); Podscope supports Kubernetes ${range}.`,
    };
  }
  const shown = gitVersion ?? formatMinor(v);
  if (compare(v, SUPPORTED_KUBERNETES.oldest) < 0) {
    return {
      state: 'too-old',
      gitVersion,
      warning: `Kubernetes ${shown} is older than the versions Podscope supports (${range}); some features may fail.`,
    };
  }
  if (compare(v, SUPPORTED_KUBERNETES.newest) > 0) {
    return {
      state: 'too-new',
      gitVersion,
      warning: `Kubernetes ${shown} is newer than the versions Podscope is tested with (${range}); report anything that fails.`,
    };
  }
  return { state: 'supported', gitVersion, warning: null };
}
