import type { ContainerView } from '../../shared/api.js';

interface ContainerPickerProps {
  containers: readonly ContainerView[];
  value: string | null;
  onChange: (name: string) => void;
}

const GROUPS = [
  { kind: 'init', label: 'Init containers' },
  { kind: 'app', label: 'Containers' },
  { kind: 'ephemeral', label: 'Ephemeral (debug) containers' },
] as const;

export function ContainerPicker({ containers, value, onChange }: ContainerPickerProps) {
  return (
    <label className="field">
      Container
      <select value={value ?? ''} onChange={(e) => onChange(e.target.value)} data-testid="log-container">
        {GROUPS.map((group) => {
          const members = containers.filter((c) => c.kind === group.kind);
          if (members.length === 0) return null;
          return (
            <optgroup key={group.kind} label={group.label}>
              {members.map((c) => (
                <option key={c.name} value={c.name}>
                  {c.name}
                  {c.reason ? ` (${c.reason})` : c.state !== 'running' ? ` (${c.state})` : ''}
                </option>
              ))}
            </optgroup>
          );
        })}
      </select>
    </label>
  );
}
