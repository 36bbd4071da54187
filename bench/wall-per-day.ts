/**
 * Wall and CPU time per simulated day of the default scenario, prescale only (issue 19's goal "a
 * backtest's wall time per simulated day does not grow"). Usage:
 * `npx tsx bench/wall-per-day.ts DAYS [DAYS...]`; prints one JSON line per run with wall and CPU
 * seconds (process.cpuUsage, user + system: the machine is shared, so CPU is the comparable figure)
 * and both per simulated day.
 */
import { runBacktest } from '../src/sim/backtest.js';
import { defaultScenario } from '../src/sim/scenario/default.js';

const list = process.argv.slice(2).map(Number).filter((d) => Number.isInteger(d) && d > 0);
for (const days of list.length > 0 ? list : [7]) {
  const scenario = defaultScenario({ days });
  const cpu0 = process.cpuUsage();
  const wall0 = process.hrtime.bigint();
  const out = await runBacktest(scenario, { policies: ['prescale'] });
  const wallSec = Number(process.hrtime.bigint() - wall0) / 1e9;
  const c = process.cpuUsage(cpu0);
  const cpuSec = (c.user + c.system) / 1e6;
  const p = out.report.policies.find((x) => x.policy === 'prescale');
  console.log(JSON.stringify({ days, wallSec: +wallSec.toFixed(1), cpuSec: +cpuSec.toFixed(1), wallSecPerDay: +(wallSec / days).toFixed(2), cpuSecPerDay: +(cpuSec / days).toFixed(2), costUsd: p ? +(p.cost.spotUsd + p.cost.onDemandUsd).toFixed(2) : null, heapMiB: Math.round(process.memoryUsage().heapUsed / 2 ** 20), loadavg: (await import('node:os')).loadavg().map((x) => +x.toFixed(1)) }));
}
