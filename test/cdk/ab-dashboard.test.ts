/**
 * issue 22: the A/B test of prefetch configurations on the CloudWatch dashboard. With
 * `controller.prefetch.abTest` in the stack's configuration, the dashboard has per-arm widgets over
 * the metrics the controller publishes with the `Arm` dimension (src/handlers/controller-runner.ts
 * `emitArmMetrics`), and the template still passes cfn-lint. Without arms, no A/B widget.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ARM_DIMENSION, METRIC } from '../../src/handlers/controller-runner.js';
import { dashboardWidgets, synthStack, type DashboardWidget } from './stack-fixture.js';

const probe = spawnSync('cfn-lint', ['--version'], { encoding: 'utf8' });
const missing = probe.error || probe.status !== 0 ? `cfn-lint not found (pip install cfn-lint): ${probe.error?.message ?? probe.stderr}` : undefined;
if (missing && process.env.CI === 'true') throw new Error(`cfn-lint is required on CI: ${missing}`);
if (missing) console.warn(`skipping the cfn-lint check of the A/B dashboard: ${missing}`);
/** The same aws-cdk-lib-generated warnings cfn-lint.test.ts ignores. */
const IGNORED = ['W3005', 'W3045', 'W3010'];

/** The example configuration with an A/B test of three arms, as a file for `prescale:config`. */
function abConfigFile(): string {
  const cfg = JSON.parse(readFileSync('cdk/config/prescale.config.example.json', 'utf8')) as { controller: Record<string, unknown> };
  cfg.controller.prefetch = { ...(cfg.controller.prefetch as object | undefined), abTest: { arms: [{ name: 'control' }, { name: 'wide', topN: 3, probabilityThreshold: 0.2 }, { name: 'markov', model: { kind: 'markov1' } }] } };
  const dir = mkdtempSync(join(tmpdir(), 'prescale-ab-'));
  const file = join(dir, 'prescale.config.json');
  writeFileSync(file, JSON.stringify(cfg));
  return file;
}

describe('prescale CDK stack: A/B arms on the dashboard', () => {
  const s = synthStack({ 'prescale:config': abConfigFile() });
  const widgets = dashboardWidgets(s.template);

  it('draws every configured arm in the hit rate, saved, waste, latency and Brier graphs, over the Arm dimension', () => {
    const byTitle = (t: string): DashboardWidget => widgets.find((w) => w.properties.title?.startsWith(t)) ?? expect.unreachable(`no widget ${t}`);
    for (const [title, names] of [
      ['A/B: hit rate per arm', [METRIC.preparationHits, METRIC.settledPreparations]],
      ['A/B: setup seconds saved per arm', [METRIC.setupSecSaved]],
      ['A/B: wasted CPU-seconds', [METRIC.wastedCpuSec, METRIC.wastedUsd]],
      ['A/B: step latency per arm', [METRIC.stepLatency]],
      ['A/B: Brier score', [METRIC.brierSum, METRIC.settledPreparations]],
    ] as const) {
      const json = JSON.stringify(byTitle(title).properties.metrics);
      for (const n of names) expect(json, title).toContain(n);
      for (const arm of ['control', 'wide', 'markov']) expect(json, title).toContain(`"${ARM_DIMENSION}","${arm}"`);
    }
    expect(JSON.stringify(byTitle('A/B: step latency per arm').properties.metrics)).toContain('"p95"');
  });

  it('has one single-value widget per arm with its hit rate, saved seconds, waste, p95 step latency and Brier', () => {
    for (const arm of ['control', 'wide', 'markov']) {
      const w = widgets.find((x) => x.type === 'metric' && x.properties.title === `A/B arm ${arm}`);
      expect(w, arm).toBeDefined();
      const json = JSON.stringify(w!.properties.metrics);
      for (const label of ['hit rate %', 'setup s saved', 'wasted CPU-s', 'wasted USD', 'step p95 s', 'Brier']) expect(json, `${arm} ${label}`).toContain(label);
      expect(json).toContain(`"${ARM_DIMENSION}","${arm}"`);
      expect(json).not.toMatch(new RegExp(`"${ARM_DIMENSION}","(?!${arm}")`));
    }
  });

  it('adds no A/B widget without an A/B test', () => {
    const plain = dashboardWidgets(synthStack().template);
    expect(plain.some((w) => w.properties.title?.startsWith('A/B') || w.properties.markdown?.includes('A/B'))).toBe(false);
  });

  it.skipIf(!!missing)('passes cfn-lint without errors or warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'prescale-cfn-ab-'));
    const file = join(dir, 'template.json');
    writeFileSync(file, JSON.stringify(s.template.toJSON(), null, 1));
    const r = spawnSync('cfn-lint', ['--format', 'parseable', '--ignore-checks', ...IGNORED, '--', file], { encoding: 'utf8' });
    expect(r.stdout + r.stderr, 'cfn-lint findings').toBe('');
    expect(r.status! & 6).toBe(0);
  }, 240_000);
});
