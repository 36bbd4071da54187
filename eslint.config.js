// ESLint flat config. The important rule is the purity fence around src/core (DESIGN.md, rule 1 and 4):
// core may not import I/O, cloud SDKs or outer layers, and may not read the clock or Math.random.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'fs', 'fs/*', 'node:*', 'path', 'os', 'child_process', 'net', 'http', 'https', 'worker_threads',
  'ioredis', 'better-sqlite3', '@aws-sdk/*', 'aws-cdk-lib', 'aws-cdk-lib/*', 'fastify', 'piscina',
  'cli-progress', 'commander', 'playwright-core',
];
const outerLayers = ['**/ports/**', '**/app/**', '**/adapters/**', '**/sim/**', '**/handlers/**', '**/cli/**'];

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
      'no-restricted-properties': ['error',
        { object: 'Date', property: 'now', message: 'src/core does not read the clock; take nowSec as input.' },
        { object: 'Math', property: 'random', message: 'src/core takes a seeded Random; never Math.random.' },
      ],
      'no-restricted-syntax': ['error',
        { selector: "NewExpression[callee.name='Date'][arguments.length=0]", message: 'src/core does not read the clock.' },
      ],
    },
  },
  {
    files: ['src/ports/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/core/forecast/**', '**/core/predict/**', '**/core/compose/**', '**/core/plan/**', '**/app/**', '**/adapters/**', '**/sim/**', '**/handlers/**', '**/cli/**'], message: 'ports import only core/model.' }],
      }],
    },
  },
  {
    files: ['src/app/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ group: ['**/adapters/**', '**/sim/**', '**/handlers/**', '**/cli/**'], message: 'app wires core to ports; concrete classes live in adapters, sim, handlers and cli.' }],
      }],
    },
  },
);
