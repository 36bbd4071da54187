/**
 * A tiny builder of minimisation models: objective, rows, bounds, general integers and binaries.
 * It writes them as CPLEX LP text (what `highs.solve()` reads) or as column/row arrays (what a
 * persistent HiGHS model takes without parsing, see {@link LpModel.toArrays}). Names must be LP
 * identifiers (letters, digits, `_`). The model is kept as data too, so a candidate solution can be
 * checked and priced without a solver.
 */

/** One linear term: coefficient × variable. */
export type Term = readonly [coef: number, name: string];

/** Formats a coefficient compactly (10 significant digits, no `+` sign). */
export function num(v: number): string {
  if (!Number.isFinite(v)) throw new Error(`non-finite LP coefficient ${v}`);
  return String(Number(v.toPrecision(10)));
}

function linear(terms: readonly Term[]): string {
  const parts: string[] = [];
  let line = '';
  let k = 0;
  for (const [c, n] of terms) {
    if (c === 0) continue;
    line += `${line ? ' ' : ''}${c < 0 ? '-' : '+'} ${num(Math.abs(c))} ${n}`;
    if (++k % 8 === 0) { parts.push(line); line = ''; }
  }
  if (line) parts.push(line);
  return parts.length > 0 ? parts.join('\n   ') : '0 __zero';
}

/**
 * A model as arrays, in the layout of HiGHS' `passModel` (columns in first-use order; rows in
 * compressed sparse row form: row r's entries are `rowIndex/rowValue[rowStart[r] .. rowStart[r+1])`).
 * Missing bounds are ±Infinity; `integrality[j]` is 1 for integer (and binary) columns, else 0.
 */
export interface LpArrays {
  readonly colNames: readonly string[];
  readonly colCost: readonly number[];
  readonly colLower: readonly number[];
  readonly colUpper: readonly number[];
  readonly integrality: readonly (0 | 1)[];
  readonly rowNames: readonly string[];
  readonly rowLower: readonly number[];
  readonly rowUpper: readonly number[];
  readonly rowStart: readonly number[];
  readonly rowIndex: readonly number[];
  readonly rowValue: readonly number[];
}

interface Row { readonly name: string; readonly terms: readonly Term[]; readonly sense: '<=' | '>=' | '='; readonly rhs: number }

/** A minimisation model under construction. */
export class LpModel {
  private readonly objective = new Map<string, number>();
  private readonly rows: Row[] = [];
  private readonly bounds = new Map<string, readonly [number, number]>();
  private readonly generals: string[] = [];
  private readonly binaries: string[] = [];

  /** Adds terms to the objective. */
  minimise(...terms: Term[]): void {
    for (const [c, n] of terms) this.objective.set(n, (this.objective.get(n) ?? 0) + c);
  }

  /** Adds row `name: Σ terms (<=|>=|=) rhs`. */
  row(name: string, terms: readonly Term[], sense: '<=' | '>=' | '=', rhs: number): void {
    this.rows.push({ name, terms, sense, rhs });
  }

  /** Declares a variable's bounds (`upper` Infinity = none). */
  bound(name: string, lower: number, upper: number): void { this.bounds.set(name, [lower, upper]); }

  /** Declares general integer variables. */
  integer(...names: string[]): void { this.generals.push(...names); }

  /** Declares binary variables. */
  binary(...names: string[]): void { this.binaries.push(...names); }

  /** Objective value of an assignment (missing variables are 0). */
  objectiveOf(values: ReadonlyMap<string, number>): number {
    let v = 0;
    for (const [n, c] of this.objective) v += c * (values.get(n) ?? 0);
    return v;
  }

  /** Whether an assignment satisfies every row, bound and integrality within `tol`. */
  isFeasible(values: ReadonlyMap<string, number>, tol = 1e-6): boolean {
    for (const r of this.rows) {
      let lhs = 0;
      for (const [c, n] of r.terms) lhs += c * (values.get(n) ?? 0);
      if ((r.sense === '<=' || r.sense === '=') && lhs > r.rhs + tol) return false;
      if ((r.sense === '>=' || r.sense === '=') && lhs < r.rhs - tol) return false;
    }
    for (const [n, [lo, hi]] of this.bounds) {
      const v = values.get(n) ?? 0;
      if (v < lo - tol || v > hi + tol) return false;
    }
    for (const n of [...this.generals, ...this.binaries]) {
      const v = values.get(n) ?? 0;
      if (Math.abs(v - Math.round(v)) > tol) return false;
    }
    return true;
  }

  /**
   * The model as arrays (see {@link LpArrays}); `relax` drops integrality. Variables default to
   * [0, +∞) as in LP text, binaries to [0, 1]; repeated terms of one variable in a row are summed.
   * @throws Error for a non-finite coefficient
   */
  toArrays(relax = false): LpArrays {
    const index = new Map<string, number>();
    const colNames: string[] = [];
    const col = (n: string): number => {
      let j = index.get(n);
      if (j === undefined) { j = colNames.length; index.set(n, j); colNames.push(n); }
      return j;
    };
    for (const n of this.objective.keys()) col(n);
    const rowStart = [0];
    const rowIndex: number[] = [];
    const rowValue: number[] = [];
    const rowLower: number[] = [];
    const rowUpper: number[] = [];
    for (const r of this.rows) {
      const inRow = new Map<number, number>();
      for (const [c, n] of r.terms) {
        if (!Number.isFinite(c)) throw new Error(`non-finite LP coefficient ${c} in row ${r.name}`);
        if (c !== 0) { const j = col(n); inRow.set(j, (inRow.get(j) ?? 0) + c); }
      }
      for (const [j, c] of inRow) if (c !== 0) { rowIndex.push(j); rowValue.push(c); }
      rowStart.push(rowIndex.length);
      rowLower.push(r.sense === '<=' ? -Infinity : r.rhs);
      rowUpper.push(r.sense === '>=' ? Infinity : r.rhs);
    }
    for (const n of this.bounds.keys()) col(n);
    for (const n of this.generals) col(n);
    for (const n of this.binaries) col(n);
    const m = colNames.length;
    const colCost = colNames.map((n) => this.objective.get(n) ?? 0);
    const colLower = new Array<number>(m).fill(0);
    const colUpper = new Array<number>(m).fill(Infinity);
    const integrality = new Array<0 | 1>(m).fill(0);
    for (const n of this.binaries) { const j = col(n); colUpper[j] = 1; if (!relax) integrality[j] = 1; }
    for (const [n, [lo, hi]] of this.bounds) { const j = col(n); colLower[j] = lo; colUpper[j] = hi; }
    if (!relax) for (const n of this.generals) integrality[col(n)] = 1;
    return { colNames, colCost, colLower, colUpper, integrality, rowNames: this.rows.map((r) => r.name), rowLower, rowUpper, rowStart, rowIndex, rowValue };
  }

  /** The model as LP text; `relax` drops integrality (the LP relaxation). */
  toString(relax = false): string {
    const out = ['Minimize', ` obj: ${linear([...this.objective].map(([n, c]) => [c, n] as Term))}`, 'Subject To'];
    let zero = this.objective.size === 0;
    for (const r of this.rows) {
      const body = linear(r.terms);
      if (body === '0 __zero') zero = true;
      out.push(` ${r.name}: ${body} ${r.sense} ${num(r.rhs)}`);
    }
    out.push('Bounds');
    for (const [n, [lo, hi]] of this.bounds) out.push(Number.isFinite(hi) ? ` ${num(lo)} <= ${n} <= ${num(hi)}` : ` ${n} >= ${num(lo)}`);
    for (const n of this.binaries) if (!this.bounds.has(n)) out.push(` 0 <= ${n} <= 1`);
    if (zero) out.push(' 0 <= __zero <= 0');
    if (!relax && this.generals.length > 0) out.push('General', ...chunk(this.generals));
    if (!relax && this.binaries.length > 0) out.push('Binary', ...chunk(this.binaries));
    out.push('End');
    return out.join('\n');
  }
}

function chunk(names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += 16) out.push(` ${names.slice(i, i + 16).join(' ')}`);
  return out;
}
