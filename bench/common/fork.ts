import { execFileSync, fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let compiled = false;

/** The Node flags `npm start` gives the server (package.json): its memory settings are part of how it runs. */
function startFlags(): string[] {
  const start: string = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')).scripts.start;
  const flags = /\bnode ((?:--\S+ )*)dist\/server\/main\.js/.exec(start);
  if (!flags) throw new Error(`package.json's start script no longer runs "node [flags] dist/server/main.js": ${start}`);
  return flags[1]!.trim().split(' ').filter(Boolean);
}

/**
 * A benchmark's server process runs as compiled JavaScript, the way `npm start` runs Parley: under
 * tsx every process carries a loader thread and its compile caches, tens of megabytes of RSS that
 * production does not have. The server scripts compile once per benchmark run. The child has this
 * process's environment, but for the database, with `env` over it.
 */
export function forkServer(script: string, options: { env: NodeJS.ProcessEnv; execArgv?: string[] }): ChildProcess {
  // A server's database is the one its benchmark names: BENCH_DATABASE_URL set to find PostgreSQL
  // must not also turn the SQLite measurement into a PostgreSQL one (in its public schema).
  const { BENCH_DATABASE_URL: _url, BENCH_PG_SCHEMA: _schema, ...inherited } = process.env;
  if (!compiled) {
    const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
    execFileSync(process.execPath, [tsc, '-p', path.join(root, 'tsconfig.bench.json')], { stdio: 'inherit' });
    compiled = true;
  }
  return fork(path.join(root, 'dist/bench/bench', `${script}.js`), [], {
    execArgv: [...startFlags(), ...(options.execArgv ?? [])],
    env: { ...inherited, ...options.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
}
