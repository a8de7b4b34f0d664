// Child process: the machine's argon2id verify rate with Gatehouse's parameters (m=19456 KiB,
// t=2, p=1 by default, read from the same configuration), `concurrency` verifies in flight at
// once in one process (libuv's thread pool does the work, as in Gatehouse).
// Usage: node --import tsx bench/argon2-rate.ts <dataDir> <concurrency>; then over IPC
// { run: ms } → { perSecond, latencies, params }, and "stop" → { stopped, maxRssKib }.
import { Algorithm, hash, verify } from '@node-rs/argon2';
import { BENCH_PASSWORD, benchConfig } from './common.ts';

const [dataDir, concurrencyArg] = process.argv.slice(2);
const { security } = benchConfig(dataDir!);
const concurrency = Number(concurrencyArg);
const options = { algorithm: Algorithm.Argon2id, memoryCost: security.argon2MemoryKib, timeCost: security.argon2Iterations, parallelism: security.argon2Parallelism };
const params = `m=${options.memoryCost},t=${options.timeCost},p=${options.parallelism}`;
const stored = await hash(BENCH_PASSWORD, options);

async function run(ms: number) {
  const deadline = performance.now() + ms;
  const latencies: number[] = [];
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < deadline) {
        const start = performance.now();
        if (!(await verify(stored, BENCH_PASSWORD))) throw new Error('verify failed');
        const end = performance.now();
        if (end <= deadline) latencies.push(end - start);
      }
    }),
  );
  return { perSecond: latencies.length / (ms / 1000), latencies, params };
}

process.on('message', async (message: any) => {
  if (message === 'stop') {
    process.send!({ stopped: true, maxRssKib: process.resourceUsage().maxRSS }, () => process.exit(0));
  } else if (message && typeof message.run === 'number') {
    process.send!(await run(message.run));
  }
});
process.send!({ ready: params });
