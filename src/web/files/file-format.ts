// Sizes and transfer progress as the Files tab prints them. Pure.

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** 512 → "512 B", 1536 → "1.5 KiB", 10 MiB → "10 MiB" (one decimal below 10, none above). */
export function formatBytes(bytes: number): string {
  if (!Number.isFinite(bytes) || bytes < 0) return '—';
  if (bytes < 1024) return `${bytes} B`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const rounded = value < 10 ? Math.round(value * 10) / 10 : Math.round(value);
  // 1023.96 KiB rounds to 1024: say 1 MiB instead.
  if (rounded >= 1024 && unit < UNITS.length - 1) return `1 ${UNITS[unit + 1]}`;
  return `${rounded} ${UNITS[unit]}`;
}

/** "1.5 MiB of 10 MiB (15%)", or just the bytes when the total is unknown (directory archives). */
export function progressText(done: number, total: number | null): string {
  if (total === null || total <= 0) return `${formatBytes(done)}`;
  const percent = Math.min(100, Math.floor((done / total) * 100));
  return `${formatBytes(done)} of ${formatBytes(total)} (${percent}%)`;
}

/** The X-Podscope-File-Size header as a number, or null when absent or not a size. */
export function parseSizeHeader(value: string | null): number | null {
  if (value === null || !/^\d+$/.test(value)) return null;
  return Number(value);
}

/** "rwxr-xr-x" from "755" (the listing's octal mode) with the type letter in front. */
export function modeText(mode: string, type: 'file' | 'directory' | 'symlink' | 'other'): string {
  const bits = parseInt(mode, 8);
  if (Number.isNaN(bits)) return mode;
  const letters = 'rwxrwxrwx'
    .split('')
    .map((ch, i) => (bits & (1 << (8 - i)) ? ch : '-'))
    .join('');
  const lead = type === 'directory' ? 'd' : type === 'symlink' ? 'l' : type === 'other' ? '?' : '-';
  return lead + letters;
}
