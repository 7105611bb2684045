#!/usr/bin/env node
import { main } from '../dist/cli/main.js';

// main() prints expected, user-facing errors itself; anything that reaches here is a bug.
main(process.argv).catch((err) => {
  console.error(err instanceof Error && err.stack ? err.stack : String(err));
  process.exit(1);
});
