// Composition root: configuration → Gatehouse → listening server. No logic lives here.
import { ConfigError, loadConfig } from './config/config.ts';
import { createGatehouse } from './server/compose.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`gatehouse: configuration error: ${error.message}`);
      process.exit(2);
    }
    throw error;
  }
  const gatehouse = await createGatehouse(config);
  const address = await gatehouse.listen();
  const open = config.publicUrl;
  console.log(`\nGatehouse is running: open ${open}/login  (listening on ${address}, ${config.database.kind})`);
  if (gatehouse.services.mailCatcher) console.log(`No SMTP_URL set: mail is caught locally — read it at ${open}/dev/mailbox`);
  if (gatehouse.services.smsCatcher) console.log(`No SMS_ACCOUNT_SID set: text messages are caught locally — read them at ${open}/dev/mailbox`);
  console.log('');
  const stop = async () => {
    await gatehouse.close();
    process.exit(0);
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

await main();
