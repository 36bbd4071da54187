/**
 * The Chain API as an attacker tries it (issue 15), against a real spawned `prescale serve`: every
 * probe must get its 4xx with nothing run (marker files of code probes never appear) and nothing
 * stored (the SQLite file is read at the end). Each probe is counted as tried × rejected.
 */
import { copyFileSync, existsSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { baseConfig, FIXTURES_DIR, recordTask, registeredTasks, tempDir } from '../fixtures/tasks/service.js';
import { call, startServe, type ServeProcess } from './serve-process.js';

const J = { 'content-type': 'application/json' };
const ALICE = { ...J, authorization: 'Bearer alice-token-0001' };
const MALLORY = { ...J, authorization: 'Bearer mallory-token-00003' };
const CAROL = { ...J, authorization: 'Bearer carol-token-000004' };

/** Probe tally per issue item: tried, and rejected as expected. */
const tally = new Map<string, { tried: number; rejected: number }>();
function probe(item: string, ok: boolean): void {
  const t = tally.get(item) ?? { tried: 0, rejected: 0 };
  t.tried++;
  if (ok) t.rejected++;
  tally.set(item, t);
}

let work: string;
let server: ServeProcess;
let dbPath: string;
let markers: Record<string, string>;

/** A task root of its own (a copy of two fixtures) so a path outside it is easy to name. */
function makeTaskRoot(dir: string): string {
  const root = join(dir, 'tasks');
  mkdirSync(root, { recursive: true });
  for (const f of ['record-step.ts', 'flaky.ts', 'prepare-step.mjs']) copyFileSync(join(FIXTURES_DIR, f), join(root, f));
  return root;
}

beforeAll(async () => {
  work = tempDir('prescale-security-');
  markers = { module: join(work, 'pwned-module'), command: join(work, 'pwned-command') };
  writeFileSync(join(work, 'evil.mjs'), `import { writeFileSync } from 'node:fs';\nwriteFileSync(${JSON.stringify(markers.module)}, 'imported');\nexport function run() { return {}; }\n`);
  const root = makeTaskRoot(work);
  symlinkSync(join(work, 'evil.mjs'), join(root, 'link.mjs'));
  const config = {
    ...baseConfig({
      principals: [{ id: 'alice', kind: 'user', memberOf: ['analysts'] }, { id: 'mallory', kind: 'user' }, { id: 'carol', kind: 'user' }],
      policies: [
        { id: 'analysts-all', effect: 'allow', principals: ['analysts'] },
        { id: 'mallory-text-stats', effect: 'allow', principals: ['mallory'], workflows: ['text-stats'] },
        { id: 'everyone-text-stats', effect: 'allow', principals: ['*'], workflows: ['text-stats'] },
        { id: 'carol-capped', effect: 'allow', principals: ['carol'], workflows: ['submitted'], pools: ['od'], spendCapUsdPerHour: 0.05 },
      ],
      tokens: { 'alice-token-0001': 'alice', 'mallory-token-00003': 'mallory', 'carol-token-000004': 'carol' },
      workflows: [{ name: 'text-stats', variants: [{ name: 'od', defaultPool: 'od', tasks: [recordTask('a')] }] }],
      tasks: registeredTasks().filter((t) => t.task_id !== 'double'),
      commandTasks: [],
      // od at 36 USD per vCPU-hour (0.01 USD per vCPU-second) so a 2 s step costs 0.02 USD.
      availability: { od: { availableUnits: 8, onDemandUsdPerUnitHour: 36 }, 'spot-batch': { availableUnits: 8, spotUsdPerUnitHour: 0.01 } },
      declaredRuntime: { minSec: 1 },
    }),
    taskRoot: root,
    pollSec: 0.1,
  };
  const configPath = join(work, 'serve.json');
  writeFileSync(configPath, JSON.stringify(config));
  dbPath = join(work, 'chains.db');
  server = await startServe(configPath, dbPath);
}, 180_000);

afterAll(() => {
  server?.kill();
  const lines = [...tally.entries()].map(([k, v]) => `${k}: ${v.rejected}/${v.tried}`);
  process.stdout.write(`security probes (rejected/tried): ${lines.join('; ')}\n`);
});

/** Chain keys stored in the server's database. */
function storedChainKeys(): string[] {
  const db = new Database(dbPath, { readonly: true, fileMustExist: true });
  try {
    return (db.prepare("SELECT key FROM kv WHERE tbl = 'chains'").all() as Array<{ key: string }>).map((r) => r.key);
  } finally {
    db.close();
  }
}

describe('prescale serve under attack', () => {
  it('1. runs no code a caller sends: command:, module: outside the task root, borrowed workflow names', async () => {
    const evil = join(work, 'evil.mjs');
    const bodies: Array<[Record<string, string>, unknown, number, string?]> = [
      [MALLORY, { chain_id: 'rce-1', name: 'text-stats', tasks: [{ task_id: 'x', executable_code_location: `command:touch ${markers.command}`, resource_requirements: { vcpu: 1, memoryGiB: 1 } }] }, 400, 'tasks[0].executable_code_location'],
      [MALLORY, { chain_id: 'rce-2', name: 'text-stats', tasks: [{ task_id: 'record' }] }, 403],
      [MALLORY, { chain_id: 'rce-3', workflow: 'text-stats', tasks: [{ task_id: 'record' }] }, 400, '(root)'],
      [ALICE, { chain_id: 'rce-4', tasks: [{ task_id: 'x', executable_code_location: `command:id > ${markers.command}` }] }, 400, 'tasks[0].executable_code_location'],
      [ALICE, { chain_id: 'rce-5', tasks: [{ task_id: 'x', executable_code_location: `module:${evil}#run` }] }, 400, 'tasks[0].executable_code_location'],
      [ALICE, { chain_id: 'rce-6', tasks: [{ task_id: 'x', executable_code_location: `module:../../../../../../..${evil}#run` }] }, 400, 'tasks[0].executable_code_location'],
      [ALICE, { chain_id: 'rce-7', tasks: [{ task_id: 'x', task: 'record', prepare: `module:${evil}#run` }] }, 400, 'tasks[0].prepare'],
      [ALICE, { chain_id: 'rce-8', tasks: [{ task_id: 'x', task: '../evil' }] }, 400, 'tasks[0].task'],
      [ALICE, { chain_id: 'rce-9', tasks: [{ task_id: 'link' }] }, 400, 'tasks[0].task_id'],
      [ALICE, { chain_id: 'rce-10', variants: [{ name: 'v', defaultPool: 'od', tasks: [{ task_id: 'x', executable_code_location: `command:touch ${markers.command}` }] }] }, 400, 'variants[0].tasks[0].executable_code_location'],
      [ALICE, { chain_id: 'rce-11', variants: [{ name: 'v', defaultPool: 'od', tasks: [{ task_id: 'x', task: 'record' }], executable_code_location: 'command:id' }] }, 400, 'variants[0].executable_code_location'],
      [ALICE, { chain_id: 'rce-12', tasks: [{ task_id: 'x', task: 'record', resource_requirements: { vcpu: 0.001, memoryGiB: 1 } }] }, 400, 'tasks[0].resource_requirements'],
      [ALICE, { chain_id: 'rce-13', tasks: [{ task_id: 'x', task: 'double' }] }, 400, 'tasks[0].task'],
    ];
    for (const [headers, body, status, field] of bodies) {
      const r = await call(server.url, 'POST', '/chains', headers, body);
      const ok = r.status === status && (field === undefined || r.json.field === field);
      probe('1 code execution', ok);
      expect({ status: r.status, field: r.json.field }).toEqual({ status, field: field ?? r.json.field });
    }
    // The catalog workflow itself still runs for mallory, but only what the operator wrote.
    const own = await call(server.url, 'POST', '/chains', MALLORY, { chain_id: 'mal-ok', workflow: 'text-stats' });
    expect(own.status).toBe(201);
    await new Promise((r) => setTimeout(r, 500));
    expect(existsSync(markers.command)).toBe(false);
    expect(existsSync(markers.module)).toBe(false);
    expect(storedChainKeys().filter((k) => /\/rce-/.test(k))).toEqual([]);
  }, 60_000);

  it('2. only real tokens authenticate: Object.prototype names, near misses and malformed headers get 401', async () => {
    const tokens = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'isPrototypeOf', 'propertyIsEnumerable', 'toLocaleString', '__defineGetter__', '__lookupSetter__', 'alice-token-000', 'alice-token-00011', 'ALICE-TOKEN-0001', ''];
    const headers = [...tokens.map((t) => `Bearer ${t}`), 'alice-token-0001', 'Basic YWxpY2U6eA==', 'Bearer alice-token-0001 extra', 'Bearer\talice-token-0001x'];
    let i = 0;
    for (const h of headers) {
      const r = await call(server.url, 'POST', '/chains', { ...J, authorization: h }, { chain_id: `tok-${i++}`, workflow: 'text-stats' });
      probe('2 authentication', r.status === 401);
      expect([h, r.status]).toEqual([h, 401]);
    }
    expect(storedChainKeys().filter((k) => /\/tok-/.test(k))).toEqual([]);
  }, 60_000);

  it('3. the spend cap charges what steps really cost: 60 triggers declaring meanSec 0.0001 for a 2 s step pass twice, then 429 with Retry-After', async () => {
    const created = await call(server.url, 'POST', '/chains', CAROL, { chain_id: 'cap-1', pool: 'od', tasks: [{ task_id: 'a', task: 'record', runtime: { meanSec: 0.0001, p95Sec: 0.0001 } }] });
    expect(created.status).toBe(201);
    const accepted: string[] = [];
    for (let i = 0; i < 60; i++) {
      const r = await call(server.url, 'POST', '/chains/cap-1/trigger', CAROL, { input: { runsDir: join(work, 'cap-runs'), sleepMs: 2000 } });
      if (r.status === 202) {
        accepted.push(String(r.json.execution_id));
        for (let k = 0; k < 400; k++) {
          const e = await call(server.url, 'GET', `/chains/cap-1/executions/${String(r.json.execution_id)}`, CAROL);
          if (e.json.status === 'succeeded' || e.json.status === 'failed') break;
          await new Promise((res) => setTimeout(res, 50));
        }
        continue;
      }
      const ok = r.status === 429 && r.json.reason_code === 'spend-cap' && Number(r.headers.get('retry-after')) > 0;
      probe('3 spend cap', ok);
      expect(ok).toBe(true);
    }
    // Run 1: the declaration is raised to the 1 s floor (0.01 USD) and the 2 s it really took (0.02 USD)
    // is charged. Run 2: expected from that history (0.02), total 0.04. Run 3 would pass the 0.05 USD/h cap.
    expect(accepted).toHaveLength(2);
    for (const id of accepted) {
      const e = await call(server.url, 'GET', `/chains/cap-1/executions/${id}`, CAROL);
      expect(Number(e.json.cost_usd)).toBeGreaterThan(0.0199);
    }
  }, 180_000);

  it('5. limits: deep JSON, a large body, prototype keys -> 400 naming the limit or key; chain ids reveal nothing across tenants', async () => {
    const deep = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const cases: Array<[string, string, string | unknown, RegExp, string]> = [
      ['POST', '/chains/mal-ok/trigger', `{"input":${deep(10_000)}}`, /maxJsonDepth/, 'body'],
      ['POST', '/chains', `{"workflow":"text-stats","name":${deep(100_000)}}`, /maxJsonDepth/, 'body'],
      ['POST', '/chains', `{"workflow":"text-stats","name":"${'x'.repeat(2 * 1024 * 1024)}"}`, /maxBodyBytes/, 'body'],
      ['POST', '/chains', '{"chain_id":"proto-1","workflow":"text-stats","__proto__":{"admin":true}}', /"__proto__"/, 'body.__proto__'],
      ['POST', '/chains/mal-ok/trigger', '{"input":{"a":{"__proto__":{"polluted":1}}}}', /"__proto__"/, 'body.input.a.__proto__'],
      ['POST', '/chains/mal-ok/trigger', '{"input":{"constructor":{"prototype":{"polluted":1}}}}', /constructor\.prototype/, 'body.input.constructor.prototype'],
      ['POST', '/chains', '{"chain_id":"proto-2","workflow":', /JSON document/, 'body'],
    ];
    for (const [method, path, body, reason, field] of cases) {
      const r = await call(server.url, method, path, MALLORY, body);
      const ok = r.status === 400 && r.json.field === field && reason.test(String(r.json.reason));
      probe('5 input limits', ok);
      expect({ status: r.status, field: r.json.field, reason: String(r.json.reason).slice(0, 200) }).toMatchObject({ status: 400, field });
      expect(String(r.json.reason)).toMatch(reason);
    }
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    // Chain ids are per principal: mallory re-using alice's id learns nothing and touches nothing.
    expect((await call(server.url, 'POST', '/chains', ALICE, { chain_id: 'shared-1', workflow: 'text-stats' })).status).toBe(201);
    const theirs = await call(server.url, 'POST', '/chains', MALLORY, { chain_id: 'shared-1', workflow: 'text-stats' });
    probe('5 chain id scope', theirs.status === 201);
    expect(theirs.status).toBe(201);
    expect((await call(server.url, 'GET', '/chains/shared-1', ALICE)).json.principal).toBe('alice');
    expect((await call(server.url, 'GET', '/chains/shared-1', MALLORY)).json.principal).toBe('mallory');
    const trig = await call(server.url, 'POST', '/chains/shared-1/trigger', ALICE, { input: { runsDir: join(work, 'shared-runs') } });
    const peek = await call(server.url, 'GET', `/chains/shared-1/executions/${String(trig.json.execution_id)}`, MALLORY);
    probe('5 chain id scope', peek.status === 404);
    expect(peek.status).toBe(404);
    expect(storedChainKeys().filter((k) => /proto-/.test(k))).toEqual([]);
  }, 120_000);
});
