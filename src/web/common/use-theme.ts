import { useCallback, useEffect, useState } from 'react';
import {
  THEME_STORAGE_KEY,
  nextThemePreference,
  parseThemePreference,
  type ThemePreference,
} from './theme.js';

function readStored(): ThemePreference {
  try {
    return parseThemePreference(window.localStorage.getItem(THEME_STORAGE_KEY));
  } catch {
    return 'system'; // Storage can be disabled; the system theme is then the only choice.
  }
}

/** Sets data-theme on <html> (CSS falls back to prefers-color-scheme when it is absent). */
export function applyTheme(preference: ThemePreference): void {
  const root = document.documentElement;
  if (preference === 'system') delete root.dataset.theme;
  else root.dataset.theme = preference;
}

export function applyStoredTheme(): void {
  applyTheme(readStored());
}

export function useTheme(): { preference: ThemePreference; cycle: () => void } {
  const [preference, setPreference] = useState<ThemePreference>(readStored);
  useEffect(() => {
    applyTheme(preference);
    try {
      if (preference === 'system') window.localStorage.removeItem(THEME_STORAGE_KEY);
      else window.localStorage.setItem(THEME_STORAGE_KEY, preference);
    } catch {
      // Not persisted; still applied for this page.
    }
  }, [preference]);
  const cycle = useCallback(() => setPreference(nextThemePreference), []);
  return { preference, cycle };
}
