/**
 * Progress of a whole backtest (every policy's ticks in one figure): a cli-progress bar with the
 * percentage, the ETA and the policy running on a terminal; plain lines every 10 % under CI or when
 * stderr is not a terminal (so logs stay readable). The ETA is elapsed × (left / done), the
 * cli-progress estimate, over the whole run.
 */
import cliProgress from 'cli-progress';

/** What the backtest calls. */
export interface BacktestProgress {
  /** A policy reached `done` of its `total` ticks. */
  update(policy: string, done: number, total: number): void;
  stop(): void;
}

/** Options of {@link backtestProgress}. */
export interface ProgressOptions {
  /** Policies in run order. */
  readonly policies: readonly string[];
  /** Whether to draw the bar (a terminal outside CI); otherwise plain lines. */
  readonly tty: boolean;
  /** Where plain lines go. @default process.stderr */
  readonly write?: (line: string) => void;
  /** Milliseconds clock for the plain lines' ETA. @default performance.now */
  readonly nowMs?: () => number;
}

/** "42 s", "3 min 05 s", "1 h 02 min". */
export function formatEta(sec: number): string {
  if (!Number.isFinite(sec) || sec < 0) return '?';
  const s = Math.round(sec);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min ${String(s % 60).padStart(2, '0')} s`;
  return `${Math.floor(s / 3600)} h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')} min`;
}

/** Whether the bar should be drawn: stderr is a terminal and CI is not set. */
export function isProgressTty(): boolean {
  return !!process.stderr.isTTY && !process.env.CI;
}

/** Creates the progress display of a backtest over `opts.policies`. */
export function backtestProgress(opts: ProgressOptions): BacktestProgress {
  const n = opts.policies.length;
  const overall = (policy: string, done: number, total: number): { value: number; index: number } => {
    const index = Math.max(0, opts.policies.indexOf(policy));
    return { value: (index + (total > 0 ? Math.min(1, done / total) : 1)) / Math.max(1, n), index };
  };
  if (opts.tty) {
    const bar = new cliProgress.SingleBar({
      format: 'backtest [{bar}] {percentage}% | ETA {eta_formatted} | {policy} ({index}/{count})',
      stream: process.stderr, hideCursor: true, etaBuffer: 50, fps: 5,
    }, cliProgress.Presets.shades_classic);
    let started = false;
    return {
      update(policy, done, total) {
        const o = overall(policy, done, total);
        const payload = { policy, index: o.index + 1, count: n };
        if (!started) { bar.start(1000, 0, payload); started = true; }
        bar.update(Math.round(o.value * 1000), payload);
      },
      stop() { if (started) bar.stop(); },
    };
  }
  const write = opts.write ?? ((l: string) => { process.stderr.write(l); });
  const nowMs = opts.nowMs ?? (() => performance.now());
  const t0 = nowMs();
  let lastDecile = -1;
  return {
    update(policy, done, total) {
      const o = overall(policy, done, total);
      const decile = Math.floor(o.value * 10 + 1e-9);
      if (decile <= lastDecile) return;
      lastDecile = decile;
      const elapsedSec = (nowMs() - t0) / 1000;
      const eta = o.value > 0 && o.value < 1 ? `, ETA ${formatEta((elapsedSec * (1 - o.value)) / o.value)}` : '';
      write(`backtest: ${decile * 10}% (${policy}, policy ${o.index + 1}/${n}${eta})\n`);
    },
    stop() {},
  };
}
