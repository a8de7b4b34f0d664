// Child process: Gatehouse as `npm start` runs it (same composition root, SQLite), on the seeded
// database. Tells the parent its URL over IPC and stops on "stop".
// Usage: node --import tsx bench/server-child.ts <dataDir>
import { createGatehouse } from '../src/compose.ts';
import { benchConfig } from './common.ts';

const dataDir = process.argv[2];
if (!dataDir) throw new Error('usage: server-child.ts <dataDir>');

const gatehouse = await createGatehouse(benchConfig(dataDir), { runDispatcher: false });
const url = await gatehouse.listen();
process.send!({ ready: url });
process.on('message', async (message: any) => {
  if (message === 'stop') {
    const maxRssKib = process.resourceUsage().maxRSS;
    await gatehouse.close();
    process.send!({ stopped: true, maxRssKib }, () => process.exit(0));
  }
});
