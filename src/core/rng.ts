/**
 * Seeded pseudo-random numbers for the simulator and any core code that needs chance.
 * Algorithm: sfc32 (Chris Doty-Humphrey's Small Fast Counting generator, PractRand-tested),
 * seeded through splitmix32 from a 32-bit seed mixed with an FNV-1a hash of the fork label.
 */
import type { Random } from './model/random.js';

function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

class Sfc32 implements Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(private readonly seed: number) {
    const sm = splitmix32(seed);
    this.a = sm();
    this.b = sm();
    this.c = sm();
    for (let i = 0; i < 12; i++) this.next();
  }

  next(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t / 4294967296;
  }

  fork(label: string): Random {
    return new Sfc32((Math.imul(this.seed ^ fnv1a(label), 0x9e3779b1) >>> 0) ^ fnv1a(`${label}#`));
  }
}

/**
 * Creates a seeded random stream.
 * @param seed any integer; the same seed always gives the same sequence
 */
export function createRandom(seed: number): Random {
  return new Sfc32(seed >>> 0);
}

/** Exponential draw with `ratePerSec` (> 0), in seconds. */
export function drawExponential(rng: Random, ratePerSec: number): number {
  return -Math.log(1 - rng.next()) / ratePerSec;
}

/** Standard normal draw (Box–Muller). */
export function drawNormal(rng: Random): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
