// A process that takes folder locks, for test/util-lock.test.ts (run with node --import tsx).
//   hold DIR          take DIR's lock, print 'held', then keep it until killed or stdin ends
//   race GO DIR...    for each DIR i: wait for the file GO.i, try DIR's lock, print 'i held' or
//                     'i busy: MESSAGE'; keep every lock taken until stdin ends
import { existsSync } from 'node:fs';
import { lockFolder } from '../src/util/lock.js';

const [mode, ...rest] = process.argv.slice(2);
const attempt = (dir: string): string => {
  try {
    lockFolder(dir);
    return 'held';
  } catch (err) {
    return `busy: ${(err as Error).message}`;
  }
};
if (mode === 'hold') {
  console.log(attempt(rest[0]));
} else if (mode === 'race') {
  const [go, ...dirs] = rest;
  console.log('ready');
  for (let i = 0; i < dirs.length; i++) {
    // Spin, not poll with a timer: the racers should reach the lock within microseconds of each other.
    while (!existsSync(`${go}.${i}`));
    console.log(`${i} ${attempt(dirs[i])}`);
  }
} else {
  throw new Error(`unknown mode ${mode}`);
}
// Locks are released by exiting; the parent ends stdin (or kills us) when it has seen enough.
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
