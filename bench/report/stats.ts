/** Small statistics for the report: quantiles, median with min–max, paired ratios. */

export interface Spread {
  median: number;
  min: number;
  max: number;
}

/** Linear-interpolated quantile of an ascending array. */
export function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN };
  return { median: quantile(finite, 0.5), min: finite[0], max: finite[finite.length - 1] };
}

/** Rep k of `values` over rep k of `baseline` (same run, same rep): the ratios' spread. */
export function pairedRatio(values: readonly number[], baseline: readonly number[]): Spread {
  const ratios: number[] = [];
  for (let k = 0; k < Math.min(values.length, baseline.length); k++) {
    if (baseline[k] > 0) ratios.push(values[k] / baseline[k]);
  }
  return spread(ratios);
}
