// Child process: the machine's limit for a session check. A bare node:http server, one
// better-sqlite3 prepared statement (the same indexed SELECT … JOIN as Gatehouse's session store,
// on the same SQLite file), the same expiry checks, a JSON answer of the same shape. No framework.
// Usage: node --import tsx bench/bare-server.ts <sqliteFile>
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import SQLite from 'better-sqlite3';

const file = process.argv[2];
if (!file) throw new Error('usage: bare-server.ts <sqliteFile>');
const sqlite = new SQLite(file);
sqlite.pragma('journal_mode = WAL');
sqlite.pragma('synchronous = NORMAL');
sqlite.pragma('busy_timeout = 5000');

const find = sqlite.prepare(
  `SELECT sessions.*, accounts.email, accounts.email_verified_at, accounts.locked_at, accounts.locale, accounts.login_name
     FROM sessions JOIN accounts ON accounts.id = sessions.account_id
    WHERE sessions.token_hash = ?`,
);
const IDLE_MS = 30 * 60 * 1000;
const TOKEN = /(?:^|;\s*)__Host-gh_session=([A-Za-z0-9_-]{20,100})/;

const server = createServer((req, res) => {
  const token = TOKEN.exec(req.headers.cookie ?? '')?.[1];
  const row: any = token ? find.get(createHash('sha256').update(token).digest('hex')) : undefined;
  const now = Date.now();
  if (!row || row.revoked_at !== null || row.locked_at !== null || now >= row.expires_at || now >= row.last_seen_at + IDLE_MS) {
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":{"code":"request.unauthenticated"}}');
    return;
  }
  const body = JSON.stringify({
    account: { id: row.account_id, email: row.email, emailVerified: row.email_verified_at !== null },
    session: {
      id: row.id,
      kind: row.kind,
      authenticatedVia: row.authenticated_via,
      authenticatedAt: new Date(row.created_at).toISOString(),
      expiresAt: new Date(Math.min(row.expires_at, row.last_seen_at + IDLE_MS)).toISOString(),
      absoluteExpiresAt: new Date(row.expires_at).toISOString(),
    },
  });
  res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) }).end(body);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address() as { port: number };
  process.send!({ ready: `http://127.0.0.1:${address.port}` });
});
process.on('message', (message) => {
  if (message === 'stop') {
    server.close();
    sqlite.close();
    process.send!({ stopped: true }, () => process.exit(0));
  }
});
