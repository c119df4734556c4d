#!/usr/bin/env node
// Like bin/acejam.js, for test/mcp/launcher.ts: runs the TypeScript through tsx's loader.
import { register } from 'tsx/esm/api';

register();
await import('./launcher.ts');
