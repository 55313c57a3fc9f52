// Why an image cannot be pulled, from the kubelet's text (the container's waiting message and the
// `Failed` events: "Failed to pull image "…": <containerd's error>"). Registries and runtimes word the same
// failure differently; each class names the words it relies on, and anything else stays "failed".

export type ImagePullClass =
  | 'not-found'
  | 'tag-not-found'
  | 'unauthorized'
  | 'denied'
  | 'registry-unreachable'
  | 'invalid-name'
  | 'not-present'
  | 'failed';

export interface ImagePullFailure {
  class: ImagePullClass;
  /** The reason in a few words: "tag not found", "the registry host podscope.local does not resolve". */
  detail: string;
}

/** Registry host of an image reference (`docker.io` when the first part is not a host). */
export function registryHost(image: string): string {
  const first = image.split('/')[0] ?? '';
  const isHost = image.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  return isHost ? first : 'docker.io';
}

/**
 * `reason` is the container's waiting reason (ErrImagePull, ImagePullBackOff, InvalidImageName,
 * ErrImageNeverPull…); `text` the most specific message available (the newest `Failed to pull image` event,
 * else the waiting message).
 */
export function classifyImagePull(reason: string, text: string, image: string): ImagePullFailure {
  const host = registryHost(image);
  if (
    reason === 'InvalidImageName' ||
    /invalid reference format|couldn't parse image (name|reference)/.test(text)
  ) {
    const why = /invalid reference format: ([^"]+?)\s*$/.exec(text)?.[1];
    return { class: 'invalid-name', detail: `the image reference is invalid${why ? ` (${why})` : ''}` };
  }
  if (reason === 'ErrImageNeverPull' || /is not present with pull policy of Never/.test(text)) {
    return { class: 'not-present', detail: 'the image is not on the node and imagePullPolicy is Never' };
  }
  const lookup = /lookup ([^\s:]+)(?: on [^:]+:\d+)?: no such host/.exec(text);
  if (lookup) {
    return { class: 'registry-unreachable', detail: `the registry host ${lookup[1]} does not resolve (DNS)` };
  }
  if (/x509:|certificate signed by unknown authority|tls: failed to verify/.test(text)) {
    return {
      class: 'registry-unreachable',
      detail: `the registry ${host}'s TLS certificate is not trusted by the node`,
    };
  }
  if (/server gave HTTP response to HTTPS client/.test(text)) {
    return {
      class: 'registry-unreachable',
      detail: `the registry ${host} speaks plain HTTP and the node expects HTTPS`,
    };
  }
  if (/connect: connection refused/.test(text)) {
    return { class: 'registry-unreachable', detail: `the registry ${host} refuses connections` };
  }
  if (
    /i\/o timeout|context deadline exceeded|TLS handshake timeout|network is unreachable|no route to host/.test(
      text,
    )
  ) {
    return { class: 'registry-unreachable', detail: `the registry ${host} does not answer (timeout)` };
  }
  if (/pull access denied|repository does not exist or may require authorization/.test(text)) {
    // Docker Hub answers this both for a repository that does not exist and for one you may not read.
    return {
      class: 'denied',
      detail: 'the registry refused: the repository does not exist or needs credentials',
    };
  }
  if (
    /\b401 Unauthorized\b|\bunauthorized\b|authentication required|no basic auth credentials|\b403 Forbidden\b|insufficient_scope/i.test(
      text,
    )
  ) {
    return { class: 'unauthorized', detail: `the registry ${host} refused the node's credentials` };
  }
  if (/manifest unknown|MANIFEST_UNKNOWN|manifest for \S+ not found/.test(text)) {
    return { class: 'tag-not-found', detail: `the registry has the repository but no tag ${tagOf(image)}` };
  }
  if (/NAME_UNKNOWN|repository name not known|name unknown/.test(text)) {
    return { class: 'not-found', detail: `the repository does not exist in ${host}` };
  }
  if (/code = NotFound|: not found\s*$|: not found"?$/m.test(text)) {
    // containerd's resolver: the registry answered 404 for the manifest. Whether the repository or only the
    // tag is missing, the registry does not say.
    return { class: 'not-found', detail: `${host} has no image ${image} (repository or tag not found)` };
  }
  return { class: 'failed', detail: 'the pull failed' };
}

function tagOf(image: string): string {
  const at = image.indexOf('@');
  if (at >= 0) return image.slice(at + 1);
  const lastSlash = image.lastIndexOf('/');
  const colon = image.indexOf(':', lastSlash + 1);
  return colon >= 0 ? image.slice(colon + 1) : 'latest';
}

/** The error part of a `Failed to pull image "x": <error>` event or a `Back-off pulling image "x": <error>` message. */
export function pullErrorText(message: string): string {
  const m = /^(?:Failed to pull image|Back-off pulling image) "[^"]*"(?::\s*)?([\s\S]*)$/.exec(message);
  return (m ? m[1]! : message).trim();
}
