/**
 * User data that turns an EC2 instance of a pool into a prescale worker: installs Node.js 22 (the
 * official linux tarball, checked against the release's SHASUMS256.txt) and the prescale package,
 * downloads the workflow catalog (the only tasks the worker runs), and starts `prescale worker --pool ID
 * --queue-url …` as the systemd unit `prescale-worker.service` (restarted on failure, SIGTERM on
 * stop so running steps get their grace period, see docs/engine.md). Linux with systemd, curl, tar, xz
 * and the AWS CLI (Amazon Linux 2023 has all of them); the instance needs outbound HTTPS (NAT or VPC
 * endpoints for SQS, Step Functions, DynamoDB and S3, plus nodejs.org and the npm registry, or a
 * mirror given as the package spec).
 */
import { Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import type * as s3assets from 'aws-cdk-lib/aws-s3-assets';

/** Node.js release the worker user data installs (Node 22 LTS, as the Lambdas' nodejs22.x). */
export const WORKER_NODE_VERSION = '22.12.0';
/** Where the catalog is placed on the instance. */
export const WORKER_CONFIG_PATH = '/etc/prescale/chains.json';
/** Install prefix of the prescale package. */
export const WORKER_PREFIX = '/opt/prescale';

/** Props of {@link workerUserData}. */
export interface WorkerUserDataProps {
  readonly poolId: string;
  readonly queueUrl: string;
  readonly stateTableName: string;
  /** The chain service configuration (its `workflows` catalog), as an S3 asset. */
  readonly catalog: s3assets.Asset;
  /** npm package spec installed globally under {@link WORKER_PREFIX}. */
  readonly workerPackage: string;
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
    `${WORKER_PREFIX}/bin/prescale`, 'worker', '--pool', q(props.poolId), '--queue-url', q(props.queueUrl),
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
    `Environment=PATH=${WORKER_PREFIX}/node/bin:${WORKER_PREFIX}/bin:/usr/bin:/bin`,
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
  const v = WORKER_NODE_VERSION;
  ud.addCommands(
    'set -euo pipefail',
    `# prescale worker for pool ${props.poolId}`,
    'case "$(uname -m)" in x86_64) NODE_ARCH=x64 ;; aarch64) NODE_ARCH=arm64 ;; *) echo "unsupported arch $(uname -m)" >&2; exit 1 ;; esac',
    `NODE_TAR="node-v${v}-linux-$NODE_ARCH.tar.xz"`,
    `mkdir -p ${WORKER_PREFIX}/node /etc/prescale && cd /tmp`,
    `curl -fsSLO "https://nodejs.org/dist/v${v}/$NODE_TAR" && curl -fsSLO "https://nodejs.org/dist/v${v}/SHASUMS256.txt"`,
    'grep " $NODE_TAR\\$" SHASUMS256.txt | sha256sum -c -',
    `tar -xJf "$NODE_TAR" -C ${WORKER_PREFIX}/node --strip-components=1`,
    `PATH=${WORKER_PREFIX}/node/bin:$PATH npm install -g --prefix ${WORKER_PREFIX} ${q(props.workerPackage)}`,
    'id prescale >/dev/null 2>&1 || useradd --system --home-dir /var/lib/prescale --create-home --shell /sbin/nologin prescale',
  );
  ud.addS3DownloadCommand({ bucket: props.catalog.bucket, bucketKey: props.catalog.s3ObjectKey, localFile: WORKER_CONFIG_PATH, region });
  ud.addCommands(
    `chmod 0644 ${WORKER_CONFIG_PATH}`,
    `cat > /etc/systemd/system/prescale-worker.service <<'PRESCALE_UNIT'\n${workerUnit(props, region)}\nPRESCALE_UNIT`,
    'systemctl daemon-reload',
    'systemctl enable --now prescale-worker.service',
  );
  return ud;
}
