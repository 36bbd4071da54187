/**
 * EventBridge target for "Step Functions Execution Status Change" events of the stack's state
 * machines: appends the execution events they give (src/app/history/execution-status.ts) to the state
 * table's `execution-events` log, which the controller tick reads. The machines' steps come from the
 * bundled `machines.json` (written by `cdk synth`, `PRESCALE_MACHINES_FILE`). A write error fails the
 * invocation so EventBridge retries it (then its dead-letter queue).
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbStateStore, dynamoDbApi } from '../adapters/aws/dynamodb-state-store.js';
import { executionStatusEvents, type MachineSteps } from '../app/history/execution-status.js';
import type { StateStore } from '../ports/state-store.js';
import { EXECUTION_LOG } from './aws-ports.js';

let machines: Map<string, MachineSteps> | undefined;
let store: StateStore | undefined;

/** The bundled machine table, by state machine name. */
export function loadMachines(file: string): Map<string, MachineSteps> {
  return new Map(Object.entries(JSON.parse(readFileSync(file, 'utf8')) as Record<string, MachineSteps>));
}

/** Appends the events of one status change; returns how many were written. */
export async function recordStatusChange(event: unknown, deps: { machines: ReadonlyMap<string, MachineSteps>; store: Pick<StateStore, 'append'> }): Promise<number> {
  const events = executionStatusEvents(event, deps.machines);
  if (events.length > 0) await deps.store.append(EXECUTION_LOG, events);
  return events.length;
}

/** Lambda entry. */
export async function handler(event: unknown): Promise<{ written: number }> {
  machines ??= loadMachines(resolve(process.env.PRESCALE_MACHINES_FILE ?? 'machines.json'));
  store ??= new DynamoDbStateStore(dynamoDbApi(new DynamoDBClient({ retryMode: 'adaptive', maxAttempts: 5 })), process.env.PRESCALE_STATE_TABLE ?? '');
  return { written: await recordStatusChange(event, { machines, store }) };
}
