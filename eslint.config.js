// ESLint flat config. It holds the layer fences of DESIGN.md (rules 1 and 4), one block per layer, each
// with a probe test in test/unit/lint/ that lints a file placed in the layer and expects the error:
// - core is pure: no I/O modules, no outer layer, no clock, timers, randomness, environment or console;
// - ports import only core/model (and each other);
// - app sequences core and ports: no I/O modules, no clock, randomness or environment, and no concrete
//   classes (adapters, sim, handlers, cli); time and timers come from the Clock port;
// - adapters and sim never import the composition roots (handlers, cli): only those wire everything.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs', 'fs/*', 'node:*', 'path', 'os', 'child_process', 'net', 'http', 'https', 'worker_threads',
  'ioredis', 'better-sqlite3', '@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'fastify', 'piscina',
  'cli-progress', 'commander', 'playwright-core',
];
const outerLayers = ['**/ports/**', '**/app/**', '**/adapters/**', '**/sim/**', '**/handlers/**', '**/cli/**'];
/** What app may not import: every module that does I/O (crypto hashing and zod stay allowed). */
const appIoModules = [
  'fs', 'fs/*', 'node:fs', 'node:fs/*', 'path', 'node:path', 'os', 'node:os', 'child_process', 'node:child_process',
  'net', 'node:net', 'dgram', 'node:dgram', 'dns', 'node:dns', 'http', 'node:http', 'https', 'node:https', 'http2', 'node:http2',
  'tls', 'node:tls', 'worker_threads', 'node:worker_threads', 'cluster', 'node:cluster', 'process', 'node:process',
  'timers', 'node:timers', 'timers/*', 'node:timers/*', 'ioredis', 'better-sqlite3', '@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*',
  'fastify', 'piscina', 'cli-progress', 'commander', 'playwright-core', 'aws-local-stepfunctions',
];
/** The clock and randomness, forbidden in core and app alike (DESIGN.md rule 4). */
const clockAndRandomProperties = (layer, fix) => [
  { object: 'Date', property: 'now', message: `${layer} does not read the clock; ${fix}.` },
  { object: 'Math', property: 'random', message: `${layer} takes a seeded Random; never Math.random.` },
  { object: 'process', property: 'env', message: `${layer} never reads the environment; pass configuration in.` },
  { object: 'performance', property: 'now', message: `${layer} does not read the clock; ${fix}.` },
  { object: 'crypto', property: 'randomUUID', message: `${layer} takes ids or a Random from its caller.` },
];
const clockSyntax = (layer) => [
  { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: `${layer} does not read the clock.` },
  { selector: "CallExpression[callee.name='Date'][arguments.length=0]", message: `${layer} does not read the clock.` },
];

export default tseslint.config(
  { ignores: ['node_modules', 'dist', 'cdk.out', 'out', 'test-output', 'bin'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-explicit-any': 'warn',
    },
  },
  {
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ioModules, message: 'src/core is pure: no I/O modules (inject a port instead).' },
          { group: outerLayers, message: 'src/core imports only src/core (dependencies point inward).' },
        ],
      }],
      'no-restricted-globals': ['error',
        { name: 'process', message: 'src/core never reads the environment; pass configuration in.' },
        { name: 'setTimeout', message: 'src/core has no timers; time is injected.' },
        { name: 'setInterval', message: 'src/core has no timers; time is injected.' },
        { name: 'fetch', message: 'src/core does no I/O.' },
        { name: 'performance', message: 'src/core does not read the clock.' },
        { name: 'console', message: 'src/core does not log; return decisions instead.' },
      ],
      'no-restricted-properties': ['error', ...clockAndRandomProperties('src/core', 'take nowSec as input')],
      'no-restricted-syntax': ['error', ...clockSyntax('src/core')],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/core/**', '!**/core/model/**', '!**/core/model'], message: 'ports import only core/model (and other ports).' },
          { group: ['**/app/**', '**/adapters/**', '**/sim/**', '**/handlers/**', '**/cli/**'], message: 'ports import only core/model (and other ports).' },
          { group: ioModules, message: 'ports are interfaces only: no I/O modules.' },
        ],
      }],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [
          { group: ['**/adapters/**', '**/sim/**', '**/handlers/**', '**/cli/**'], message: 'app wires core to ports; concrete classes live in adapters, sim, handlers and cli.' },
          { group: appIoModules, message: 'app does no I/O of its own: take a port (StateStore, TaskQueue, Executor…) instead.' },
        ],
        paths: ['node:crypto', 'crypto'].map((name) => ({
          name, importNames: ['randomUUID', 'randomBytes', 'randomInt', 'randomFill', 'randomFillSync', 'getRandomValues'],
          message: 'app takes ids and randomness from its caller (newId, a seeded Random); hashing is fine.',
        })),
      }],
      'no-restricted-globals': ['error',
        { name: 'setTimeout', message: 'app waits on the injected Clock (clock.sleep / clock.setTimer), so tests run on a manual clock.' },
        { name: 'setInterval', message: 'app waits on the injected Clock (clock.sleep / clock.setTimer), so tests run on a manual clock.' },
        { name: 'fetch', message: 'app does no I/O of its own; take a port.' },
        { name: 'require', message: 'app imports statically.' },
      ],
      'no-restricted-properties': ['error', ...clockAndRandomProperties('app', 'use the injected Clock')],
      'no-restricted-syntax': ['error', ...clockSyntax('app')],
    },
  },
  {
    files: ['src/adapters/**/*.ts', 'src/sim/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/handlers/**', '**/cli/**'], message: 'only the composition roots (handlers, cli) wire adapters together; adapters and sim never import them.' }],
      }],
    },
  },
);
