// 0008_email_domains: accounts created before one-form domains may hold a Unicode domain
// ("exämple.test"), which sign-in and recovery now look up as punycode ("xn--exmple-cua.test").
// Rewrite each such address to its ASCII form so its owner can still sign in. Where the ASCII
// form is already another account (the one mailbox that became two accounts), neither row is
// changed: merging accounts is an administrator's decision, not a migration's.
import { domainToASCII } from 'node:url';
import type { Kysely, Migration } from 'kysely';

function asciiDomainForm(email: string): string | null {
  const at = email.lastIndexOf('@');
  const domain = email.slice(at + 1);
  if (at < 0 || /^[\x00-\x7f]*$/.test(domain)) return null;
  const ascii = domainToASCII(domain);
  return ascii === '' ? null : `${email.slice(0, at)}@${ascii}`;
}

export const emailDomains: Migration = {
  async up(db: Kysely<any>) {
    const rows: { id: string; email: string }[] = await db.selectFrom('accounts').select(['id', 'email']).execute();
    for (const row of rows) {
      const ascii = asciiDomainForm(row.email);
      if (ascii === null) continue;
      const taken = await db.selectFrom('accounts').select('id').where('email', '=', ascii).executeTakeFirst();
      if (taken) continue;
      await db.updateTable('accounts').set({ email: ascii }).where('id', '=', row.id).execute();
    }
  },
  async down() {
    throw new Error('Gatehouse migrations only go forward');
  },
};
