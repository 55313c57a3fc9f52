interface ToggleProps {
  label: string;
  pressed: boolean;
  onChange: (value: boolean) => void;
  testId?: string;
  disabled?: boolean;
  title?: string;
}

/** An on/off button (aria-pressed), used for the log view switches. */
export function Toggle({ label, pressed, onChange, testId, disabled, title }: ToggleProps) {
  return (
    <button
      type="button"
      className="btn"
      aria-pressed={pressed}
      disabled={disabled}
      title={title}
      onClick={() => onChange(!pressed)}
      data-testid={testId}
    >
      <span aria-hidden="true">{pressed ? '☑' : '☐'}</span>
      {label}
    </button>
  );
}
