import { useEffect, useRef } from 'react';
import { Link } from 'react-router-dom';
import type { PodSummary } from '../../shared/api.js';
import { formatAge, formatDateTime } from '../common/time.js';
import { routes } from '../common/routes.js';
import { statusTone } from './pod-status.js';
import type { PodSort, PodSortKey } from './pod-table.js';
import { PodStatus } from './PodStatus.js';

interface PodTableProps {
  cluster: string;
  namespace: string;
  pods: readonly PodSummary[];
  now: number;
  sort: PodSort;
  onSort: (key: PodSortKey) => void;
  selected: string | null;
  onSelect: (name: string) => void;
  /** Changes when the selected row's link should take the keyboard focus. */
  focusRequest: number;
}

const COLUMNS: { key: PodSortKey; label: string; numeric?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'status', label: 'Status' },
  { key: 'ready', label: 'Ready', numeric: true },
  { key: 'restarts', label: 'Restarts', numeric: true },
  { key: 'age', label: 'Age', numeric: true },
  { key: 'node', label: 'Node' },
];

export function PodTable(props: PodTableProps) {
  const { cluster, namespace, pods, now, sort, onSort, selected, onSelect, focusRequest } = props;
  const selectedRow = useRef<HTMLTableRowElement>(null);
  useEffect(() => {
    selectedRow.current?.scrollIntoView({ block: 'nearest' });
  }, [selected]);
  // j/k move the focus along with the selection, so a screen reader reads the row that is now selected.
  useEffect(() => {
    if (focusRequest > 0) selectedRow.current?.querySelector('a')?.focus();
  }, [focusRequest]);

  return (
    <div className="table-wrap">
      <table className="data" data-testid="pod-table">
        <thead>
          <tr>
            {COLUMNS.map((column) => {
              const active = sort.key === column.key;
              return (
                <th
                  key={column.key}
                  aria-sort={active ? (sort.descending ? 'descending' : 'ascending') : 'none'}
                  className={column.numeric ? 'num' : undefined}
                >
                  <button
                    type="button"
                    onClick={() => onSort(column.key)}
                    data-testid={`pod-sort-${column.key}`}
                  >
                    {column.label}
                    {active ? (sort.descending ? ' ▾' : ' ▴') : ''}
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {pods.map((pod) => {
            const tone = statusTone(pod);
            const isSelected = pod.name === selected;
            const classes = [
              isSelected ? 'selected' : '',
              tone === 'error' ? 'row-error' : tone === 'warn' ? 'row-warn' : '',
            ];
            return (
              <tr
                key={pod.uid || pod.name}
                ref={isSelected ? selectedRow : undefined}
                className={classes.join(' ').trim() || undefined}
                aria-selected={isSelected}
                data-testid={`pod-row-${pod.name}`}
                onClick={() => onSelect(pod.name)}
                onFocus={() => onSelect(pod.name)}
              >
                <td className="wrap-anywhere">
                  <Link to={routes.pod(cluster, namespace, pod.name)}>{pod.name}</Link>
                </td>
                <td>
                  <PodStatus pod={pod} />
                </td>
                <td className={`num${pod.ready < pod.total && tone !== 'done' ? ' tone-warn' : ''}`}>
                  {pod.ready}/{pod.total}
                </td>
                <td className={`num${pod.restarts > 0 ? ' tone-warn' : ''}`}>
                  {pod.restarts}
                  {pod.lastRestartAt && (
                    <span className="muted" title={formatDateTime(pod.lastRestartAt)}>
                      {' '}
                      ({formatAge(pod.lastRestartAt, now)} ago)
                    </span>
                  )}
                </td>
                <td className="num" title={formatDateTime(pod.createdAt)}>
                  {formatAge(pod.createdAt, now)}
                </td>
                <td className="wrap-anywhere">{pod.node ?? <span className="muted">—</span>}</td>
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
