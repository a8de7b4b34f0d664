// /dev/mailbox: what the built-in mail catcher received, so a newcomer sees codes at once.
// Mounted only when no SMTP_URL is configured (compose.ts starts the catcher only then).
import type { FastifyInstance } from 'fastify';
import { h } from '../http/jsx.ts';
import { Page } from '../http/layout.tsx';
import { sendPage } from '../http/replies.ts';
import { mailboxMessages } from './mailbox-messages.ts';
import type { MailCatcher } from './mail-catcher.ts';


export function registerMailboxRoutes(app: FastifyInstance, deps: { catcher: MailCatcher; storeName: string }) {
  app.get('/dev/mailbox', async (request, reply) => {
    const t = request.ctx.translator(mailboxMessages);
    const messages = deps.catcher.messages();
    return sendPage(
      reply,
      <Page ctx={request.ctx} t={t} title={t('mailbox.title')} storeName={deps.storeName} path="/dev/mailbox" wide>
        <section class="card">
          <h1>{t('mailbox.title')}</h1>
          <p class="field-hint">{t('mailbox.explain')}</p>
          {messages.length === 0 ? <p>{t('mailbox.empty')}</p> : null}
          <ol class="mailbox">
            {messages.map((message) => (
              <li class="mail" data-mail-id={message.id}>
                <h2 class="mail-subject">{message.subject}</h2>
                <p class="mail-meta">{t('mailbox.to')}: {message.to} · {message.receivedAt.toISOString()}</p>
                <pre class="mail-text">{message.text}</pre>
              </li>
            ))}
          </ol>
        </section>
      </Page>,
    );
  });
}
