/**
 * User data that turns an EC2 instance of a pool into a prescale worker: installs Node.js 22 from
 * Amazon Linux 2023's `nodejs22` package, downloads the worker bundle (a CDK asset, see
 * worker-bundle.ts), the workflow catalog (the only tasks the worker runs) and, when given, the task
 * code, and starts `prescale worker --pool ID --queue-url …` as the systemd unit
 * `prescale-worker.service` (restarted on failure, SIGTERM on stop so running steps get their grace
 * period, see docs/engine.md). Amazon Linux 2023 (dnf, systemd, the AWS CLI); the instance needs HTTPS
 * to SQS, Step Functions, DynamoDB, S3 (and Secrets Manager with the prefetch cache): the cache VPC's
 * endpoints give exactly these, and AL2023's package repositories are served from S3, so no NAT or
 * internet access is needed.
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { WORKER_BUNDLE_FILE } from './worker-bundle.js';

/** Amazon Linux 2023 package of Node.js 22 (as the Lambdas' nodejs22.x). */
export const WORKER_NODE_PACKAGE = 'nodejs22';
/** Install prefix of the worker. */
export const WORKER_PREFIX = '/opt/prescale';
/** Where the catalog is placed on the instance; the task code goes beside it (its task root). */
export const WORKER_CONFIG_PATH = `${WORKER_PREFIX}/app/chains.json`;

/** Props of {@link workerUserData}. */
export interface WorkerUserDataProps {
  readonly poolId: string;
  readonly queueUrl: string;
  readonly stateTableName: string;
  /** The chain service configuration (its `workflows` catalog), as an S3 asset. */
  readonly catalog: s3assets.Asset;
  /** The worker bundle (worker-bundle.ts). */
  readonly bundle: s3assets.Asset;
  /** The task code (a zip of `prescale:taskCodeDir`), unpacked beside the catalog. @default none: bake it into the AMI */
  readonly taskCode?: s3assets.Asset;
  /** Seconds running steps get on stop before they are failed for retry elsewhere. @default 30 */
  readonly graceSec?: number;
  /** The prefetch cache (cluster-mode endpoint over TLS, AUTH token read from the secret at start). @default none: steps run cold, prepare messages are dropped */
  readonly cache?: { readonly url: string; readonly authSecretArn: string };
}

/** A shell-quoted single argument (tokens stay inside the quotes). */
function q(s: string): string {
  return `'${s.replace(/'/g, "'\\''")}'`;
}

/** The worker's systemd unit. */
export function workerUnit(props: WorkerUserDataProps, region: string): string {
  const grace = props.graceSec ?? 30;
  const args = [
    '@NODE@', `${WORKER_PREFIX}/${WORKER_BUNDLE_FILE}`, 'worker', '--pool', q(props.poolId), '--queue-url', q(props.queueUrl),
    '--config', WORKER_CONFIG_PATH, '--state-table', q(props.stateTableName), '--region', q(region), '--grace-sec', String(grace),
    ...(props.cache ? ['--redis-url', q(props.cache.url), '--redis-cluster', '--redis-auth-secret', q(props.cache.authSecretArn)] : []),
  ];
  return [
    '[Unit]',
    `Description=prescale worker (pool ${props.poolId})`,
    'Wants=network-online.target',
    'After=network-online.target',
    '',
    '[Service]',
    'User=prescale',
    `ExecStart=${args.join(' ')}`,
    'Restart=always',
    'RestartSec=5',
    'KillSignal=SIGTERM',
    `TimeoutStopSec=${grace + 30}`,
    'NoNewPrivileges=true',
    'ProtectSystem=full',
    '',
    '[Install]',
    'WantedBy=multi-user.target',
  ].join('\n');
}

/** See module documentation. */
export function workerUserData(props: WorkerUserDataProps): ec2.UserData {
  const region = Stack.of(props.catalog).region;
  const ud = ec2.UserData.forLinux({ shebang: '#!/bin/bash' });
  const app = `${WORKER_PREFIX}/app`;
  ud.addCommands(
    'set -euo pipefail',
    `# prescale worker for pool ${props.poolId}`,
    `dnf install -y ${WORKER_NODE_PACKAGE} unzip`,
    'NODE="$(command -v node-22 || command -v node)"',
    `mkdir -p ${app}`,
    'id prescale >/dev/null 2>&1 || useradd --system --home-dir /var/lib/prescale --create-home --shell /sbin/nologin prescale',
  );
  ud.addS3DownloadCommand({ bucket: props.bundle.bucket, bucketKey: props.bundle.s3ObjectKey, localFile: `${WORKER_PREFIX}/${WORKER_BUNDLE_FILE}`, region });
  ud.addS3DownloadCommand({ bucket: props.catalog.bucket, bucketKey: props.catalog.s3ObjectKey, localFile: WORKER_CONFIG_PATH, region });
  if (props.taskCode) {
    ud.addS3DownloadCommand({ bucket: props.taskCode.bucket, bucketKey: props.taskCode.s3ObjectKey, localFile: '/tmp/prescale-task-code.zip', region });
    ud.addCommands(`unzip -o -q /tmp/prescale-task-code.zip -d ${app} && rm -f /tmp/prescale-task-code.zip`);
  }
  ud.addCommands(
    `chmod -R a+rX ${WORKER_PREFIX}`,
    `cat > /etc/systemd/system/prescale-worker.service <<'PRESCALE_UNIT'\n${workerUnit(props, region)}\nPRESCALE_UNIT`,
    'sed -i "s#@NODE@#$NODE#" /etc/systemd/system/prescale-worker.service',
    'systemctl daemon-reload',
    'systemctl enable --now prescale-worker.service',
  );
  return ud;
}
