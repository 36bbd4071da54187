/**
 * The scenario suite of `npm run bench:backtest` (issue 19): real CloudWatch series from
 * ../shared/data/cloudwatch driving the `web` pool × WfCommons workflow families from
 * ../shared/data/workflows as chains on the `batch` pool (src/sim/scenario/traces.ts), with real EC2
 * prices (../shared/data/ec2). Short-step fan-out families (montage, cycles, 1000genome,
 * epigenomics), long-task ones (soykb, srasearch, blast, bwa, seismology, nf-core) and two cases whose
 * chains arrive as an Azure Functions 2019 invocation trace (serverless/azure_functions_2019_vhive_sample).
 * One stress case (spot-stress-soykb) multiplies the Spot Advisor's interruption hazards by 300, so
 * that interruptions, rebalance recommendations and insufficient-capacity episodes happen within a
 * day, and gives every workflow a spot and an on-demand variant, so chains switch variants on notices.
 * Seeds differ per case. None of these was used to tune the planner before issue 19.
 */
import path from 'node:path';

/** One suite case. */
export interface SuiteCase {
  readonly id: string;
  /** Metric files under cloudwatch/. */
  readonly metrics: readonly string[];
  /** Workflow directories or files under workflows/. */
  readonly workflows: readonly string[];
  readonly seed: number;
  readonly days: number;
  /** Chains arrive as this Azure Functions invocation trace (per-minute counts, file under serverless/), scaled. */
  readonly azureInvocations?: string;
  /** What the case exercises (family shape). */
  readonly what: string;
  /** Workflows get a second, on-demand variant on a `batch-od` pool (sim/scenario/traces.ts `onDemandVariant`). */
  readonly onDemandVariant?: boolean;
  /** Spot hazard × this (a stress case: the Advisor's hazards give no interruption in a day). */
  readonly hazardMultiplier?: number;
}

/** The suite, in report order. */
export const SUITE_CASES: readonly SuiteCase[] = [
  { id: 'taxi-montage', metrics: ['realKnownCause/nyc_taxi.csv'], workflows: ['pegasus/montage'], seed: 7, days: 7, what: 'short-step fan-out' },
  { id: 'crm-montage', metrics: ['realTweets/Twitter_volume_CRM.csv'], workflows: ['pegasus/montage'], seed: 11, days: 7, what: 'short-step fan-out' },
  { id: 'cpu5f-cycles', metrics: ['realAWSCloudwatch/ec2_cpu_utilization_5f5533.csv'], workflows: ['pegasus/cycles'], seed: 3, days: 7, what: 'short-step fan-out' },
  { id: 'elb-1000genome', metrics: ['realAWSCloudwatch/elb_request_count_8c0756.csv'], workflows: ['pegasus/1000genome'], seed: 5, days: 7, what: 'short-step fan-out' },
  { id: 'grok-epigenomics', metrics: ['realAWSCloudwatch/grok_asg_anomaly.csv'], workflows: ['pegasus/epigenomics'], seed: 29, days: 7, what: 'pipeline, short steps' },
  { id: 'rds-soykb', metrics: ['realAWSCloudwatch/rds_cpu_utilization_cc0c53.csv'], workflows: ['pegasus/soykb'], seed: 13, days: 7, what: 'long tasks' },
  { id: 'amzn-srasearch', metrics: ['realTweets/Twitter_volume_AMZN.csv'], workflows: ['pegasus/srasearch'], seed: 17, days: 7, what: 'long tasks' },
  { id: 'adx-blast', metrics: ['realAdExchange/exchange-2_cpc_results.csv'], workflows: ['makeflow/blast'], seed: 19, days: 7, what: 'long tasks' },
  { id: 'netin-bwa', metrics: ['realAWSCloudwatch/ec2_network_in_257a54.csv'], workflows: ['makeflow/bwa'], seed: 23, days: 7, what: 'long tasks' },
  { id: 'asg-seismology', metrics: ['realKnownCause/cpu_utilization_asg_misconfiguration.csv'], workflows: ['pegasus/seismology'], seed: 31, days: 2, what: 'wide fan-out, one merge' },
  { id: 'occupancy-nfcore', metrics: ['realTraffic/occupancy_6005.csv'], workflows: ['nextflow'], seed: 37, days: 7, what: 'nf-core pipelines' },
  { id: 'azure-montage-cycles', metrics: ['realAWSCloudwatch/ec2_cpu_utilization_77c1ca.csv'], workflows: ['pegasus/montage', 'pegasus/cycles'], azureInvocations: 'azure_functions_2019_vhive_sample/10fn_fullday_invocations.csv', seed: 41, days: 3, what: 'Azure Functions arrivals, fan-out' },
  { id: 'spot-stress-soykb', metrics: ['realAWSCloudwatch/ec2_cpu_utilization_fe7f93.csv'], workflows: ['pegasus/soykb'], seed: 47, days: 2, onDemandVariant: true, hazardMultiplier: 300, what: 'spot risk: hazard × 300, spot and on-demand variants' },
  { id: 'azure-soykb-1000genome', metrics: ['realKnownCause/ec2_request_latency_system_failure.csv'], workflows: ['pegasus/soykb', 'pegasus/1000genome'], azureInvocations: 'azure_functions_2019_vhive_sample/10fn_fullday_invocations.csv', seed: 43, days: 2, what: 'Azure Functions arrivals, mixed' },
];

/** Absolute paths of a case's inputs under `dataDir` (../shared/data). */
export function caseFiles(c: SuiteCase, dataDir: string): { metrics: string[]; workflows: string[]; azure?: string; prices: string } {
  return {
    metrics: c.metrics.map((m) => path.join(dataDir, 'cloudwatch', m)),
    workflows: c.workflows.map((w) => path.join(dataDir, 'workflows', w)),
    ...(c.azureInvocations ? { azure: path.join(dataDir, 'serverless', c.azureInvocations) } : {}),
    prices: path.join(dataDir, 'ec2'),
  };
}
