// Starting a worker thread from its module's name, beside the caller: the compiled .js normally;
// under tsx (tests, development) the .ts, with a tiny bootstrap that registers tsx's loader in the
// worker first (execArgv --import does not reach worker threads' loaders).

import { Worker, type WorkerOptions } from 'node:worker_threads';

/** The worker `./<name>.js` (or `.ts` under tsx) relative to `callerUrl` (its import.meta.url). */
export function startWorker(callerUrl: string, name: string, options: WorkerOptions = {}): Worker {
  if (!callerUrl.endsWith('.ts')) return new Worker(new URL(`./${name}.js`, callerUrl), options);
  const api = import.meta.resolve('tsx/esm/api');
  const target = new URL(`./${name}.ts`, callerUrl).href;
  const boot = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(target)}); });`;
  return new Worker(boot, { ...options, eval: true });
}
