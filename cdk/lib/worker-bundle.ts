/**
 * The worker as a CDK asset: `src/cli/worker-main.ts` (only `prescale worker`) bundled by esbuild into
 * one ES module, `prescale-worker.mjs`, uploaded to the CDK assets bucket (aws-s3-assets). The pools'
 * user data downloads it and runs it with Amazon Linux 2023's `nodejs22` package, so nothing is
 * installed from npm. Bundled like the stack's functions (ESM with a `require` shim for CommonJS
 * dependencies, esbuild issue #1921); better-sqlite3 is replaced by a stub that throws (a native module:
 * the bundle's worker writes events to DynamoDB, `--state-table`).
 */
import { dirname, join, resolve } from 'node:path';
import { AssetHashType, BundlingOutput, DockerImage } from 'aws-cdk-lib';
import * as s3assets from 'aws-cdk-lib/aws-s3-assets';
import { buildSync } from 'esbuild';
import type { Construct } from 'constructs';

/** The file name of the bundle inside the asset and on the instance. */
export const WORKER_BUNDLE_FILE = 'prescale-worker.mjs';

const ENTRY = resolve(__dirname, '../../src/cli/worker-main.ts');
const NO_SQLITE = resolve(__dirname, 'no-sqlite.cjs');

/** Bundles the worker into `outDir`/{@link WORKER_BUNDLE_FILE}. @throws Error when esbuild fails */
export function bundleWorker(outDir: string): string {
  const outfile = join(outDir, WORKER_BUNDLE_FILE);
  buildSync({
    entryPoints: [ENTRY], outfile, bundle: true, platform: 'node', target: 'node22', format: 'esm', minify: true, legalComments: 'none',
    mainFields: ['module', 'main'], alias: { 'better-sqlite3': NO_SQLITE }, logLevel: 'error',
    banner: { js: "import { createRequire as __pCreateRequire } from 'module'; import { fileURLToPath as __pFileURLToPath } from 'url'; import { dirname as __pDirname } from 'path'; const require = __pCreateRequire(import.meta.url); const __filename = __pFileURLToPath(import.meta.url); const __dirname = __pDirname(__filename);" },
  });
  return outfile;
}

/**
 * The worker bundle asset (one file). With bundling skipped (tests, `cdk synth` of other stacks) the
 * asset is not built and gets a fixed hash.
 */
export function workerBundleAsset(scope: Construct, id: string, bundlingRequired: boolean): s3assets.Asset {
  return new s3assets.Asset(scope, id, {
    path: dirname(ENTRY),
    ...(bundlingRequired ? { assetHashType: AssetHashType.OUTPUT } : { assetHashType: AssetHashType.CUSTOM, assetHash: 'bundling-skipped-worker' }),
    bundling: {
      image: DockerImage.fromRegistry('public.ecr.aws/docker/library/node:22'),
      outputType: BundlingOutput.SINGLE_FILE,
      local: { tryBundle: (outDir: string) => { bundleWorker(outDir); return true; } },
    },
  });
}
