// Theme preference: 'system' follows prefers-color-scheme; the choice is kept in localStorage.

export type ThemePreference = 'system' | 'light' | 'dark';
export const THEME_STORAGE_KEY = 'podscope.theme';

export function parseThemePreference(value: string | null): ThemePreference {
  return value === 'light' || value === 'dark' ? value : 'system';
}

export function nextThemePreference(current: ThemePreference): ThemePreference {
  return current === 'system' ? 'light' : current === 'light' ? 'dark' : 'system';
}
