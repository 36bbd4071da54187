/**
 * Issue 22 under `prescale serve`: the learning loop (src/app/prefetch/serve-learning.ts) runs the
 * tick's observe/predict/prefetch stages on serve's own step events. A real serve (in-process, port 0,
 * the Piscina prepare workers, the wall clock) runs a catalog workflow a → {b, c} on a one-unit pool for two principals;
 * `GET /prefetch/status` then shows an operator the feedback loop's calibration, mined bundles and
 * per-arm preparation figures, each caller its A/B arm (the same every time, and the hash's) and its
 * own preparations, and a non-operator nothing of another principal's chains.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serve } from '../../src/cli/commands/serve.js';
import { abArmOf } from '../../src/core/predict/ab-selection.js';
import { AbTestConfigSchema } from '../../src/core/model/learning-config.js';
import { baseConfig, FIXTURES_DIR, recordTask, tempDir } from '../fixtures/tasks/service.js';

const abTest = { arms: [{ name: 'control' }, { name: 'eager', probabilityThreshold: 0.2 }], salt: 'serve-e2e' };
const prepare = 'module:./prepare-step.mjs#prepare';
const step = (id: string, deps: string[]) => recordTask(id, deps, { prepare, setupShare: 0.5, runtime: { meanSec: 0.4, p50Sec: 0.4, p95Sec: 2, samplesSec: [] } });
const header = (token: string) => ({ authorization: `Bearer ${token}`, 'content-type': 'application/json' });
const ALICE = header('alice-token-0001');
const BOB = header('bob-token-000001');

let server: Awaited<ReturnType<typeof serve>> | undefined;
const runsDir = tempDir('prescale-serve-learning-');

beforeAll(async () => {
  const configPath = join(runsDir, 'serve.json');
  writeFileSync(configPath, JSON.stringify({
    ...baseConfig({
      // one unit: after a, one of b and c waits for it (and is worth preparing meanwhile)
      availability: { 'spot-batch': { availableUnits: 0 }, od: { availableUnits: 1, onDemandUsdPerUnitHour: 0.04 } },
      composer: { minFit: 0.5 },
      principals: [{ id: 'alice', kind: 'user', memberOf: ['analysts'] }, { id: 'bob', kind: 'user', memberOf: ['analysts'] }],
      tokens: { 'alice-token-0001': 'alice', 'bob-token-000001': 'bob' },
      operators: ['alice'],
      workflows: [{ name: 'pipe', variants: [{ name: 'main', defaultPool: 'od', tasks: [step('a', []), step('b', ['a']), step('c', ['a'])] }] }],
      prefetch: { enabled: true, probabilityThreshold: 0.5, topN: 2, maxConcurrent: 8, ttlSec: 900, latencyValueUsdPerHour: 10, bundles: { minChains: 2, minSupport: 0.5, settleSec: 0, refreshSec: 1 }, abTest },
      learningIntervalSec: 0.1,
    }),
    taskRoot: FIXTURES_DIR,
  }));
  server = await serve({ config: configPath, port: '0', host: '127.0.0.1', db: ':memory:', seed: '0', prefetchWorkers: '1' });
});
afterAll(async () => {
  await server?.stop();
});

async function runOnce(headers: Record<string, string>, chainId: string): Promise<void> {
  const url = server!.url;
  const trig = await fetch(`${url}/chains/${chainId}/trigger`, { method: 'POST', headers, body: JSON.stringify({ input: { runsDir: join(runsDir, chainId), sleepMs: 600 } }) });
  expect(trig.status).toBe(202);
  const { execution_id } = (await trig.json()) as { execution_id: string };
  for (let i = 0; i < 600; i++) {
    const exec = (await (await fetch(`${url}/chains/${chainId}/executions/${execution_id}`, { headers })).json()) as { status: string };
    if (exec.status === 'succeeded') return;
    if (exec.status === 'failed') throw new Error(`execution failed: ${JSON.stringify(exec)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('execution did not finish');
}

type Metrics = { prepared: number; triggers: number; hits: number };
type Status = {
  arm: string | null;
  mine: Metrics;
  all: Aggregate | null;
};
type Aggregate = {
  abTest: { control: string; arms: Record<string, { prepared: number; triggers: number }> } | null;
  prefetchByArm: Record<string, { prepared: number }>;
  calibration: { outcomes: number; cameTrue: number; brier: number; deciles: Array<{ n: number }> };
  nextStep: { predictions: number; hits: number };
  bundles: { count: number; members: number };
  rounds: number;
  preparations: { selected: number; accepted: number };
};

async function status(headers: Record<string, string>): Promise<{ code: number; body: Status; text: string }> {
  // (GET /prefetch/status: the caller's arm and own figures; to operators the aggregates)
  const res = await fetch(`${server!.url}/prefetch/status`, { headers });
  const text = await res.text();
  return { code: res.status, body: JSON.parse(text) as Status, text };
}

describe('prescale serve runs the learning loop on its own step events', () => {
  it('after some executions reports calibration, bundles and per-arm figures, with each principal on its hashed arm', async () => {
    for (const [headers, id] of [[ALICE, 'alice-pipe'], [BOB, 'bob-pipe']] as const) {
      const created = await fetch(`${server!.url}/chains`, { method: 'POST', headers, body: JSON.stringify({ chain_id: id, workflow: 'pipe' }) });
      expect(created.status).toBe(201);
    }
    for (let i = 0; i < 3; i++) {
      await runOnce(ALICE, 'alice-pipe');
      await runOnce(BOB, 'bob-pipe');
    }
    // the loop's next round has seen the last events
    await new Promise((r) => setTimeout(r, 400));
    const a = await status(ALICE);
    if (process.env.SHOW_STATUS) console.log(a.text);
    expect(a.code).toBe(200);
    const all = a.body.all!;
    // alice is an operator: she sees the aggregates
    expect(all).not.toBeNull();
    // feedback: the next-step model's predictions were scored against the steps that started
    expect(all.calibration.outcomes).toBeGreaterThan(0);
    expect(all.calibration.cameTrue).toBeGreaterThan(0);
    expect(all.calibration.deciles.reduce((n, d) => n + d.n, 0)).toBe(all.calibration.outcomes);
    expect(all.calibration.brier).toBeGreaterThanOrEqual(0);
    expect(all.nextStep.predictions).toBeGreaterThan(0);
    // bundles: the frequent subgraph a → {b, c} was mined from the finished executions
    expect(all.bundles.count).toBeGreaterThan(0);
    expect(all.bundles.members).toBeGreaterThan(0);
    // the loop's selection chose preparations, the Preparer accepted them, the manager counted them per arm
    expect(all.preparations.selected).toBeGreaterThan(0);
    expect(all.preparations.accepted).toBeGreaterThan(0);
    expect(Object.keys(all.abTest!.arms).sort()).toEqual(['control', 'eager']);
    expect(Object.values(all.abTest!.arms).reduce((n, m) => n + m.prepared, 0)).toBeGreaterThan(0);
    // A/B: each principal's arm is the salted hash's, the same on every call
    const ab = AbTestConfigSchema.parse(abTest);
    expect(a.body.arm).toBe(abArmOf({ chainId: '', principal: 'alice' }, ab));
    const b = await status(BOB);
    expect(b.code).toBe(200);
    expect(b.body.arm).toBe(abArmOf({ chainId: '', principal: 'bob' }, ab));
    expect((await status(ALICE)).body.arm).toBe(a.body.arm);
    expect((await status(BOB)).body.arm).toBe(b.body.arm);
    // each sees its own preparations (one step of three executions waited for the unit and was prepared)
    expect(a.body.mine.prepared).toBeGreaterThan(0);
    expect(b.body.mine.prepared).toBeGreaterThan(0);
    expect(all.prefetchByArm[a.body.arm!].prepared).toBeGreaterThanOrEqual(a.body.mine.prepared);
    // security: bob (no operator) gets no aggregate over alice's chains; nothing names a chain, workflow, task or principal
    expect(b.body.all).toBeNull();
    for (const s of [a, b]) {
      for (const secret of ['alice-pipe', 'bob-pipe', 'pipe', '"a"', '"b"', '"c"', 'alice', 'bob']) expect(s.text).not.toContain(secret);
    }
  }, 120_000);

  it('answers 401 without a token', async () => {
    const res = await fetch(`${server!.url}/prefetch/status`);
    expect(res.status).toBe(401);
  });
});
