/**
 * Dense symmetric positive-definite solver for small normal equations (ridge regression), on
 * Float64Array in row-major order. Cholesky–Banachiewicz factorisation (Golub & Van Loan,
 * "Matrix Computations", 4th ed., Algorithm 4.2.1), O(p³/3).
 */

/**
 * Solves `A x = b` for symmetric positive-definite `A` (p × p, row-major). `A` is not modified.
 * A tiny jitter (1e-10 × mean diagonal) is added when a pivot is not positive.
 * @throws Error when `A` is not positive definite even with the jitter, or sizes mismatch
 */
export function choleskySolve(A: Float64Array, b: Float64Array, p: number): Float64Array {
  if (A.length !== p * p || b.length !== p) throw new Error(`choleskySolve: sizes ${A.length}, ${b.length} do not match p=${p}`);
  const L = new Float64Array(p * p);
  let diagMean = 0;
  for (let i = 0; i < p; i++) diagMean += A[i * p + i];
  diagMean = Math.abs(diagMean / p) || 1;
  for (let i = 0; i < p; i++) {
    for (let j = 0; j <= i; j++) {
      let s = A[i * p + j];
      for (let k = 0; k < j; k++) s -= L[i * p + k] * L[j * p + k];
      if (i === j) {
        if (!(s > 0)) s = s + 1e-10 * diagMean;
        if (!(s > 0)) throw new Error(`choleskySolve: matrix not positive definite at pivot ${i}`);
        L[i * p + i] = Math.sqrt(s);
      } else L[i * p + j] = s / L[j * p + j];
    }
  }
  const z = new Float64Array(p);
  for (let i = 0; i < p; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= L[i * p + k] * z[k];
    z[i] = s / L[i * p + i];
  }
  const x = new Float64Array(p);
  for (let i = p - 1; i >= 0; i--) {
    let s = z[i];
    for (let k = i + 1; k < p; k++) s -= L[k * p + i] * x[k];
    x[i] = s / L[i * p + i];
  }
  return x;
}
