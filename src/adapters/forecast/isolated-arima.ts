/**
 * An {@link ArimaEngine} that survives crashes of the `arima` package: each engine owns its own
 * WebAssembly instance of the package (loaded from the package's files by absolute path, bypassing
 * the single instance `require('arima')` caches), and after a crash it throws that instance away and
 * loads a fresh one, so one bad input never poisons later fits. Loading an instance takes a few
 * milliseconds (the wasm binary is compiled synchronously). ctsa's printf output is silenced.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PackageArimaEngine, type ArimaConstructor, type ArimaEngine, type ArimaOrder, type ArimaResult } from '../../core/forecast/arima-engine.js';

const require = createRequire(import.meta.url);

/** Loads a fresh `arima` constructor backed by a new WebAssembly instance. */
export function loadFreshArima(): ArimaConstructor {
  const dir = dirname(require.resolve('arima'));
  const factory = require(join(dir, 'wasm', 'native-sync.js')) as (opts: Record<string, unknown>) => unknown;
  const bin = require(join(dir, 'wrapper', 'native.bin.js')) as unknown;
  const load = require(join(dir, 'load.js')) as (m: unknown) => ArimaConstructor;
  // ctsa prints optimiser messages with printf; Emscripten routes them to console.log (stdout),
  // which would corrupt CSV output, so they are silenced here.
  const quiet = (): void => undefined;
  return load(factory({ wasmBinary: bin, print: quiet, printErr: quiet }));
}

/** Engine over a private package instance, recreated after every crash. */
export class IsolatedArimaEngine implements ArimaEngine {
  private inner: PackageArimaEngine;
  /** Number of instances loaded so far (1 + crashes recovered). */
  instancesLoaded = 1;

  constructor(private readonly loader: () => ArimaConstructor = loadFreshArima) {
    this.inner = new PackageArimaEngine(loader());
  }

  /**
   * Fits and forecasts; on a crash, replaces the instance before rethrowing, so the next call works.
   * @throws the package's error for this call
   */
  fitPredict(y: readonly number[], order: ArimaOrder, horizon: number): ArimaResult {
    try {
      return this.inner.fitPredict(y, order, horizon);
    } finally {
      if (this.inner.isPoisoned) {
        this.inner = new PackageArimaEngine(this.loader());
        this.instancesLoaded++;
      }
    }
  }
}

/** Creates an {@link IsolatedArimaEngine} with its own package instance. */
export function createIsolatedArimaEngine(): IsolatedArimaEngine {
  return new IsolatedArimaEngine();
}
