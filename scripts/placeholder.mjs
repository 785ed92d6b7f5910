#!/usr/bin/env node
const what = process.argv[2] ?? 'this command';
process.stderr.write(`npm run ${what}: not built yet\n`);
process.exit(2);
