/** Error statistics shared by the curve analysis and the evaluation. */

export function rmse(errors: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < errors.length; i++) sum += errors[i] * errors[i];
  return Math.sqrt(sum / errors.length);
}

export function median(values: ArrayLike<number>): number {
  const sorted = Float64Array.from(values).sort();
  const n = sorted.length;
  if (n === 0) return NaN;
  return n % 2 === 1 ? sorted[(n - 1) / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
}

/**
 * 1.4826 x median absolute deviation: the standard deviation of the bulk of the errors, blind to
 * the rare large outliers that RMSE is dominated by.
 */
export function robustStd(errors: ArrayLike<number>): number {
  const m = median(errors);
  const dev = new Float64Array(errors.length);
  for (let i = 0; i < errors.length; i++) dev[i] = Math.abs(errors[i] - m);
  return 1.4826 * median(dev);
}
