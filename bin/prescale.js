#!/usr/bin/env node
// Launches the TypeScript CLI through tsx so `npx prescale` works without a build step.
import { register } from 'tsx/esm/api';
register();
await import('../src/cli/main.ts');
