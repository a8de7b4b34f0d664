// /dev/mailbox: what the built-in catchers received, so a newcomer sees codes at once. Mounted
// only when at least one catcher runs (compose.ts starts the mail catcher without SMTP_URL and the
// SMS catcher without SMS_ACCOUNT_SID); each list shows only when its catcher exists.
import type { FastifyInstance } from 'fastify';
import { h } from '../http/jsx.ts';
import { Page } from '../http/layout.tsx';
import { sendPage } from '../http/replies.ts';
import type { Translate } from '../shared/i18n.ts';
import { mailboxMessages } from './mailbox-messages.ts';
import type { MailCatcher } from './mail-catcher.ts';
import type { SmsCatcher } from './sms-catcher.ts';

function MailList(props: { t: Translate; catcher: MailCatcher; headed: boolean }) {
  const { t } = props;
  const messages = props.catcher.messages();
  return (
    <section class="mailbox-part" data-part="mail">
      {props.headed ? <h2>{t('mailbox.mail_heading')}</h2> : null}
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
  );
}

// Full numbers here: this is the developer's own catcher, and the number is what they look for.
function SmsList(props: { t: Translate; catcher: SmsCatcher }) {
  const { t } = props;
  const messages = props.catcher.messages();
  return (
    <section class="mailbox-part" data-part="sms">
      <h2>{t('mailbox.sms_heading')}</h2>
      <p class="field-hint">{t('mailbox.sms_explain')}</p>
      {messages.length === 0 ? <p>{t('mailbox.sms_empty')}</p> : null}
      <ol class="mailbox">
        {messages.map((message) => (
          <li class="mail" data-sms-id={message.id}>
            <p class="mail-meta">{t('mailbox.to')}: {message.to} · {message.receivedAt.toISOString()}</p>
            <pre class="mail-text">{message.body}</pre>
          </li>
        ))}
      </ol>
    </section>
  );
}

export function registerMailboxRoutes(app: FastifyInstance, deps: { catcher?: MailCatcher; smsCatcher?: SmsCatcher }) {
  app.get('/dev/mailbox', async (request, reply) => {
    const t = request.ctx.translator(mailboxMessages);
    return sendPage(
      reply,
      <Page ctx={request.ctx} t={t} title={t('mailbox.title')} path="/dev/mailbox" wide>
        <section class="card">
          <h1>{t('mailbox.title')}</h1>
          {deps.catcher ? <MailList t={t} catcher={deps.catcher} headed={!!deps.smsCatcher} /> : null}
          {deps.smsCatcher ? <SmsList t={t} catcher={deps.smsCatcher} /> : null}
        </section>
      </Page>,
    );
  });
}
