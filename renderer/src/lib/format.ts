// Small formatting helpers for readouts: decibels, SSIM, durations and sizes (failures: failure.ts).

export function formatDb(v: number | null | undefined): string {
  if (v === null) return '∞ dB'; // identical images
  if (v === undefined || !Number.isFinite(v)) return '—';
  return `${v.toFixed(2)} dB`;
}

export function formatSsim(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '—' : v.toFixed(4);
}

export function formatEta(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  if (seconds < 1) return 'under a second left';
  if (seconds < 60) return `${Math.round(seconds)} s left`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m} min ${Math.round(seconds % 60)} s left`;
  return `${Math.floor(m / 60)} h ${m % 60} min left`;
}

export function formatCount(n: number | null | undefined): string {
  return n === null || n === undefined ? '—' : n.toLocaleString('en-US');
}

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KB`;
  return `${(n / 1024 / 1024).toFixed(1)} MB`;
}

/** The last path segment, for showing host paths compactly. */
export function baseName(path: string): string {
  return path.split(/[\\/]/).filter(Boolean).pop() ?? path;
}

export function isCancelled(e: unknown): boolean {
  return e instanceof Error && e.name === 'JobCancelled';
}
