// Kubernetes resource quantities ("500m", "64", "24Mi", "1.5Gi", "1e3") as numbers, and back to words.

const BINARY: Record<string, number> = {
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};
const DECIMAL: Record<string, number> = {
  n: 1e-9,
  u: 1e-6,
  m: 1e-3,
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
};

/** The value of a quantity in base units (cores, bytes…), or null when it is not one. */
export function parseQuantity(q: string): number | null {
  const m = /^([+-]?(?:\d+\.?\d*|\.\d+))(?:(Ki|Mi|Gi|Ti|Pi|Ei)|([numkMGTPE]?)|[eE]([+-]?\d+))$/.exec(
    q.trim(),
  );
  if (!m) return null;
  const n = Number(m[1]);
  if (m[2]) return n * BINARY[m[2]]!;
  if (m[4] !== undefined) return n * 10 ** Number(m[4]);
  return n * DECIMAL[m[3] ?? '']!;
}

/** "64 CPUs", "1 CPU", "500m CPU". */
export function formatCpu(cores: number): string {
  if (Number.isInteger(cores)) return `${cores} CPU${cores === 1 ? '' : 's'}`;
  return `${Math.round(cores * 1000)}m CPU`;
}

/** Bytes in the largest binary unit that keeps it readable: "24Mi", "1.5Gi". */
export function formatBytes(bytes: number): string {
  const units: [string, number][] = [
    ['Ti', 2 ** 40],
    ['Gi', 2 ** 30],
    ['Mi', 2 ** 20],
    ['Ki', 2 ** 10],
  ];
  for (const [unit, size] of units) {
    if (bytes >= size) {
      const v = bytes / size;
      return `${Number.isInteger(v) ? v : v.toFixed(1).replace(/\.0$/, '')}${unit}`;
    }
  }
  return `${bytes} bytes`;
}

/** A resource amount for a sentence: CPUs for cpu, binary units for memory-like ones, as-is otherwise. */
export function formatResource(resource: string, amount: number): string {
  if (resource === 'cpu') return formatCpu(amount);
  if (resource === 'memory' || resource.endsWith('storage') || resource.startsWith('hugepages-')) {
    return formatBytes(amount);
  }
  return String(amount);
}
