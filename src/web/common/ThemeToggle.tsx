import { useTheme } from './use-theme.js';

const LABELS = { system: 'Theme: system', light: 'Theme: light', dark: 'Theme: dark' } as const;
const ICONS = { system: '◐', light: '☀', dark: '☾' } as const;

export function ThemeToggle() {
  const { preference, cycle } = useTheme();
  return (
    <button
      type="button"
      className="btn btn-ghost"
      onClick={cycle}
      title={`${LABELS[preference]} (click to change)`}
      aria-label={LABELS[preference]}
      data-testid="theme-toggle"
    >
      <span aria-hidden="true">{ICONS[preference]}</span> {preference}
    </button>
  );
}
