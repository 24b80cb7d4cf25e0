import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let compiled = false;

/**
 * A benchmark's server process runs as compiled JavaScript, the way `npm start` runs Parley: under
 * tsx every process carries a loader thread and its compile caches, tens of megabytes of RSS that
 * production does not have. The server scripts compile once per benchmark run.
 */
export function forkServer(script: string, options: { env: NodeJS.ProcessEnv; execArgv?: string[] }): ChildProcess {
  if (!compiled) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.bench.json')], { stdio: 'inherit' });
    compiled = true;
  }
  return fork(path.join(root, 'dist/bench/bench', `${script}.js`), [], {
    execArgv: ['--enable-source-maps', ...(options.execArgv ?? [])],
    env: { ...options.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
