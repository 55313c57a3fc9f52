import type { SocketStatus } from './reconnecting-socket.js';

/** Small live/reconnecting indicator for a watch or stream. */
export function ConnectionBadge({ status, ended }: { status: SocketStatus; ended?: boolean }) {
  let label: string;
  let tone: string;
  switch (status.state) {
    case 'open':
      label = ended ? 'ended' : 'live';
      tone = ended ? 'muted' : 'ok';
      break;
    case 'connecting':
      label = 'connecting…';
      tone = 'muted';
      break;
    case 'reconnecting':
      label = `connection lost — retrying in ${Math.ceil(status.inMs / 1000)}s`;
      tone = 'warn';
      break;
    case 'closed':
      label = 'ended';
      tone = 'muted';
      break;
  }
  return (
    <span className={`badge badge-${tone}`} role="status" data-testid="connection-status">
      {label}
    </span>
  );
}
