/**
 * The deploy's smoke test: run by the CDK trigger after every deployment (and on demand with
 * `{"smokeTest": true}`). The configuration has already been parsed by the caller; this reads the
 * tick state, the capacity and one pool's offerings through the real ports, changing nothing, so a
 * missing permission or resource fails the deployment (and CloudFormation rolls it back).
 */
import type { DeploymentConfig } from './deployment-config.js';
import type { ControllerPorts } from './aws-ports.js';

/** What the smoke test saw. */
export interface SmokeTestResult {
  readonly smokeTest: 'passed';
  readonly mode: DeploymentConfig['controller']['mode'];
  readonly pools: number;
  readonly instances: number;
  readonly offerings: number;
  readonly prices?: string;
}

/** Runs the read-only checks. @throws the first failure (permission, missing table, bad queue url) */
export async function runSmokeTest(config: DeploymentConfig, ports: ControllerPorts): Promise<SmokeTestResult> {
  await ports.store.get('tick', 'state');
  const snap = await ports.cloud.describeCapacity();
  const firstEc2 = config.controller.pools.find((p) => p.kind === 'ec2');
  const offerings = firstEc2 && firstEc2.kind === 'ec2' ? await ports.cloud.offerings(firstEc2) : [];
  if (firstEc2 && offerings.length === 0) throw new Error(`pool ${firstEc2.id}: no offering matches its instance requirements in this region`);
  return {
    smokeTest: 'passed', mode: config.controller.mode, pools: config.controller.pools.length,
    instances: snap.instances.length, offerings: offerings.length, ...(ports.prices ? { prices: ports.prices.describe() } : {}),
  };
}
