#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the hub needs no build step.
import { register } from 'tsx/esm/api';

register();
process.env.MADOGUCHI_HUB_CLI = '1';
await import('../src/cli/main.ts');
