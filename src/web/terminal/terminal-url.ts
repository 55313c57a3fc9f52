// The terminal WebSocket's path and query. Pure.

import { apiPaths } from '../common/api-paths.js';

export interface TerminalTarget {
  cluster: string;
  namespace: string;
  pod: string;
  container: string;
}

/** `command` is repeated, one argv word each; no command at all asks the server to choose a shell. */
export function terminalSocketPath(
  target: TerminalTarget,
  command: readonly string[],
  size: { cols: number; rows: number },
): string {
  const query = new URLSearchParams();
  query.set('container', target.container);
  for (const word of command) query.append('command', word);
  query.set('cols', String(size.cols));
  query.set('rows', String(size.rows));
  return `${apiPaths.terminal(target.cluster, target.namespace, target.pod)}?${query.toString()}`;
}
