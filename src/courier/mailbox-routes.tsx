// /dev/mailbox: what the built-in catchers received, so a newcomer sees codes at once. Mounted
// only when at least one catcher runs (compose.ts starts the mail catcher without SMTP_URL and the
// SMS catcher without SMS_ACCOUNT_SID); each list shows only when its catcher exists.
//
// Each email shows as the shopper sees it (its HTML in a frame), its text part and its headers,
// as Mailpit does; /static/mailbox.js makes the three into tabs, and without scripts they stand one
// under the other. /dev/mailbox.json lists the same for scripts and tests.
import type { FastifyInstance, onSendHookHandler } from 'fastify';
import { h } from '../http/jsx.ts';
import { Page } from '../http/layout.tsx';
import { sendPage } from '../http/replies.ts';
import type { Translate } from '../shared/i18n.ts';
import { mailboxMessages } from './mailbox-messages.ts';
import type { CaughtMessage, MailCatcher } from './mail-catcher.ts';
import type { SmsCatcher } from './sms-catcher.ts';

/**
 * The email's own HTML, framed: a sandbox with no permissions (no scripts, no forms, no top
 * navigation, an origin of its own), and a policy that loads nothing from anywhere — an email that
 * tried to run code or fetch a tracking pixel does neither here. Our emails need inline styles only.
 */
const EMAIL_FRAME_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'; sandbox";

/** The mailbox page itself may frame our own /dev/mailbox/:id.html, and nothing else. */
const allowOwnFrames: onSendHookHandler = (_request, reply, payload, done) => {
  const policy = reply.getHeader('content-security-policy');
  if (typeof policy === 'string') reply.header('content-security-policy', `${policy}; frame-src 'self'`);
  done(null, payload);
};

const frameable: onSendHookHandler = (_request, reply, payload, done) => {
  reply.header('content-security-policy', EMAIL_FRAME_POLICY);
  reply.header('x-frame-options', 'SAMEORIGIN');
  done(null, payload);
};

function MailItem({ t, message }: { t: Translate; message: CaughtMessage }) {
  const id = message.id;
  return (
    <li class="mail" data-mail-id={id}>
      <h2 class="mail-subject">{message.subject}</h2>
      <p class="mail-meta">{t('mailbox.to')}: {message.to} · {message.receivedAt.toISOString()}</p>
      <div class="mail-views" data-mail-tabs="" data-label={t('mailbox.tabs')}>
        <section class="mail-view" id={`mail-${id}-html`} data-tab-name={t('mailbox.tab_html')}>
          <h3 class="mail-view-title">{t('mailbox.tab_html')}</h3>
          {message.html ? (
            <iframe class="mail-frame" sandbox="" src={`/dev/mailbox/${id}.html`} title={t('mailbox.html_frame', { subject: message.subject })} loading="lazy"></iframe>
          ) : (
            <p class="field-hint">{t('mailbox.no_html')}</p>
          )}
        </section>
        <section class="mail-view" id={`mail-${id}-text`} data-tab-name={t('mailbox.tab_text')}>
          <h3 class="mail-view-title">{t('mailbox.tab_text')}</h3>
          <pre class="mail-text">{message.text}</pre>
        </section>
        <section class="mail-view" id={`mail-${id}-headers`} data-tab-name={t('mailbox.tab_headers')}>
          <h3 class="mail-view-title">{t('mailbox.tab_headers')}</h3>
          <pre class="mail-text mail-headers">{message.headers.join('\n')}</pre>
        </section>
      </div>
    </li>
  );
}

function MailList(props: { t: Translate; catcher: MailCatcher; headed: boolean }) {
  const { t } = props;
  const messages = props.catcher.messages();
  return (
    <section class="mailbox-part" data-part="mail">
      {props.headed ? <h2>{t('mailbox.mail_heading')}</h2> : null}
      <p class="field-hint">{t('mailbox.explain')}</p>
      {messages.length === 0 ? <p>{t('mailbox.empty')}</p> : null}
      <ol class="mailbox">{messages.map((message) => <MailItem t={t} message={message} />)}</ol>
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
  const { catcher, smsCatcher } = deps;

  app.get('/dev/mailbox', { onSend: allowOwnFrames }, async (request, reply) => {
    const t = request.ctx.translator(mailboxMessages);
    return sendPage(
      reply,
      <Page ctx={request.ctx} t={t} title={t('mailbox.title')} path="/dev/mailbox" wide>
        <section class="card">
          <h1>{t('mailbox.title')}</h1>
          {catcher ? <MailList t={t} catcher={catcher} headed={!!smsCatcher} /> : null}
          {smsCatcher ? <SmsList t={t} catcher={smsCatcher} /> : null}
          <script src="/static/mailbox.js" nonce={request.ctx.nonce} defer></script>
        </section>
      </Page>,
    );
  });

  app.get('/dev/mailbox/:file', { onSend: frameable }, async (request, reply) => {
    const file = (request.params as { file: string }).file;
    const message = /^[0-9a-f-]{36}\.html$/.test(file) ? catcher?.messages().find((m) => `${m.id}.html` === file) : undefined;
    if (!message || !message.html) return reply.callNotFound();
    return reply.type('text/html; charset=utf-8').send(message.html);
  });

  app.get('/dev/mailbox.json', async (_request, reply) => {
    const mail = (catcher?.messages() ?? []).map((m) => ({ id: m.id, to: m.to, from: m.from, subject: m.subject, receivedAt: m.receivedAt.toISOString(), text: m.text, html: m.html, headers: m.headers }));
    const texts = (smsCatcher?.messages() ?? []).map((m) => ({ id: m.id, to: m.to, receivedAt: m.receivedAt.toISOString(), body: m.body }));
    return reply.type('application/json; charset=utf-8').send({ mail, texts });
  });
}
