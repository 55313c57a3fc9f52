// Stable colours for the sources of a merged log stream. A source's colour comes from a hash of
// "pod/container", so it is the same on every reload; when two live sources collide, the later one
// takes the next free slot so neighbours stay distinguishable. Pure.

export const SOURCE_PALETTE_SIZE = 12;

export interface LogSource {
  pod: string;
  container: string;
}

export function sourceKey(source: LogSource): string {
  return `${source.pod}/${source.container}`;
}

/** FNV-1a, 32-bit: small, fast and well spread for short strings. */
export function hashString(value: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < value.length; i++) {
    hash ^= value.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

export class SourceColors {
  private readonly assigned = new Map<string, number>();

  constructor(private readonly paletteSize = SOURCE_PALETTE_SIZE) {}

  /** The palette slot for `key`, assigned on first use and then never changed. */
  colorOf(key: string): number {
    const known = this.assigned.get(key);
    if (known !== undefined) return known;
    const preferred = hashString(key) % this.paletteSize;
    const used = new Set(this.assigned.values());
    let slot = preferred;
    if (used.size < this.paletteSize) {
      while (used.has(slot)) slot = (slot + 1) % this.paletteSize;
    }
    this.assigned.set(key, slot);
    return slot;
  }

  /** Forgets a source that is gone, so its slot is free again and the map does not grow forever. */
  release(key: string): void {
    this.assigned.delete(key);
  }
}
