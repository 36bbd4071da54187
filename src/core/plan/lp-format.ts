/**
 * A tiny writer for CPLEX LP-format models (the text `highs.solve()` reads): objective, rows,
 * bounds, general integers and binaries. Names must be LP identifiers (letters, digits, `_`).
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
  terms.forEach(([c, n], i) => {
    if (c === 0) return;
    const t = `${c < 0 ? '-' : '+'} ${num(Math.abs(c))} ${n}`;
    line += (line ? ' ' : '') + t;
    if ((i + 1) % 8 === 0) { parts.push(line); line = ''; }
  });
  if (line) parts.push(line);
  return parts.length > 0 ? parts.join('\n   ') : '0 __zero';
}

/** A minimisation model under construction. */
export class LpModel {
  private readonly objective: Term[] = [];
  private readonly rows: string[] = [];
  private readonly bounds: string[] = [];
  private readonly generals: string[] = [];
  private readonly binaries: string[] = [];
  private usesZero = false;

  /** Adds terms to the objective. */
  minimise(...terms: Term[]): void { this.objective.push(...terms); }

  /** Adds row `name: Σ terms (<=|>=|=) rhs`. */
  row(name: string, terms: readonly Term[], sense: '<=' | '>=' | '=', rhs: number): void {
    const body = linear(terms);
    if (body === '0 __zero') this.usesZero = true;
    this.rows.push(` ${name}: ${body} ${sense} ${num(rhs)}`);
  }

  /** Declares a variable's bounds (`upper` Infinity = none). */
  bound(name: string, lower: number, upper: number): void {
    this.bounds.push(Number.isFinite(upper) ? ` ${num(lower)} <= ${name} <= ${num(upper)}` : ` ${name} >= ${num(lower)}`);
  }

  /** Declares general integer variables. */
  integer(...names: string[]): void { this.generals.push(...names); }

  /** Declares binary variables. */
  binary(...names: string[]): void { this.binaries.push(...names); }

  /** The model as LP text. */
  toString(): string {
    const out = ['Minimize', ` obj: ${linear(this.objective)}`, 'Subject To', ...this.rows, 'Bounds', ...this.bounds];
    if (this.usesZero || this.objective.length === 0) out.push(' 0 <= __zero <= 0');
    if (this.generals.length > 0) out.push('General', ...chunk(this.generals));
    if (this.binaries.length > 0) out.push('Binary', ...chunk(this.binaries));
    out.push('End');
    return out.join('\n');
  }
}

function chunk(names: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < names.length; i += 16) out.push(` ${names.slice(i, i + 16).join(' ')}`);
  return out;
}
