// Form fields the three debug forms share: the tools image and the profile (with what it grants).

import type { DebugOptions, DebugProfile } from '../../shared/debug/debug-api.js';

interface ImageFieldProps {
  options: DebugOptions;
  value: string;
  onChange: (image: string) => void;
  disabled?: boolean;
  testId: string;
}

export function ImageField({ options, value, onChange, disabled, testId }: ImageFieldProps) {
  return (
    <label className="field">
      Image
      <select
        value={value}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        data-testid={testId}
      >
        {options.images.map((image) => (
          <option key={image} value={image}>
            {image}
            {image === options.defaultImage ? ' (default tools image)' : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

interface ProfileFieldProps {
  options: DebugOptions;
  value: DebugProfile;
  onChange: (profile: DebugProfile) => void;
  disabled?: boolean;
  testId: string;
}

export function ProfileField({ options, value, onChange, disabled, testId }: ProfileFieldProps) {
  const description = options.profiles.find((p) => p.name === value)?.description ?? '';
  return (
    <div className="debug-profile">
      <label className="field">
        Profile
        <select
          value={value}
          onChange={(e) => onChange(e.target.value as DebugProfile)}
          disabled={disabled}
          data-testid={testId}
        >
          {options.profiles.map((p) => (
            <option key={p.name} value={p.name} title={p.description}>
              {p.name}
              {p.name === options.defaultProfile ? ' (default)' : ''}
            </option>
          ))}
        </select>
      </label>
      <span className="muted debug-hint" data-testid={`${testId}-description`}>
        {description}
      </span>
    </div>
  );
}
