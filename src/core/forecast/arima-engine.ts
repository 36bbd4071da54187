/**
 * The boundary to the `arima` npm package (an Emscripten/WebAssembly build of ctsa). The package is
 * pure compute, but one WebAssembly instance is shared by every model it creates, and a crash
 * (e.g. "RangeError: offset is out of bounds" on inputs of tens of thousands of values) leaves that
 * instance unusable for every later fit. Callers therefore go through an {@link ArimaEngine}: the
 * default one here refuses further work after a crash (models then fall back and say so); the
 * adapter `src/adapters/forecast/isolated-arima.ts` provides one that loads a fresh instance.
 */
import ARIMA from 'arima';

/** ARIMA orders (p, d, q); `auto` asks the package's AutoARIMA with these as maxima. */
export interface ArimaOrder {
  readonly p: number;
  readonly d: number;
  readonly q: number;
  readonly auto?: boolean;
  /** ctsa estimation method: 0 exact maximum likelihood (package default), 1 conditional sum of squares, 2 Box-Jenkins. */
  readonly method?: number;
}

/** What a fit returns: point forecasts and forecast-error VARIANCES (the package returns variance, not s.e.). */
export interface ArimaResult {
  readonly mean: readonly number[];
  readonly variance: readonly number[];
}

/** Fits ARIMA models; implementations must survive or contain package crashes. */
export interface ArimaEngine {
  /**
   * Fits `order` on `y` and forecasts `horizon` steps.
   * @throws Error when the package fails (the engine decides whether later calls still work)
   */
  fitPredict(y: readonly number[], order: ArimaOrder, horizon: number): ArimaResult;
}

/** The constructor exported by the `arima` package (sync build). */
export type ArimaConstructor = typeof ARIMA;

/**
 * An engine over one `arima` constructor. After the first crash it marks itself poisoned and throws
 * on every later call without touching the package again.
 */
export class PackageArimaEngine implements ArimaEngine {
  private poisoned = false;
  constructor(private readonly ctor: ArimaConstructor = ARIMA) {}

  /** True once a fit crashed inside the package. */
  get isPoisoned(): boolean {
    return this.poisoned;
  }

  fitPredict(y: readonly number[], order: ArimaOrder, horizon: number): ArimaResult {
    if (this.poisoned) throw new Error('arima engine unusable after an earlier crash');
    let model: InstanceType<ArimaConstructor> | undefined;
    try {
      model = new this.ctor({ p: order.p, d: order.d, q: order.q, auto: order.auto ?? false, method: order.method ?? 0, verbose: false });
      model.train([...y]);
      const [mean, variance] = model.predict(horizon);
      return { mean, variance };
    } catch (err) {
      this.poisoned = true;
      throw err;
    } finally {
      try {
        model?.destroy();
      } catch {
        this.poisoned = true;
      }
    }
  }
}

let shared: PackageArimaEngine | undefined;

/** The process-wide default engine over the package's shared instance (created on first use). */
export function defaultArimaEngine(): ArimaEngine {
  shared ??= new PackageArimaEngine();
  return shared;
}
