// My account → Security → Recent security activity: the account's security events of the last 90
// days (activity/security-events.ts), newest first, in the shopper's language.
//
// Only our own words are shown: what happened comes from the event's type, the device from the
// fixed list in sessions/user-agent.ts (never the raw User-Agent a client wrote), and the place as
// the network only (203.0.113.0/24) — a refused sign-in may be a stranger's, whose full address is
// theirs, not the owner's to read. An app's name is the one the store registered for it.
import type { FastifyInstance } from 'fastify';
import { h, type SafeHtml } from '../http/jsx.ts';
import { sendPage } from '../http/replies.ts';
import { requireSession } from '../http/require-session.ts';
import type { RequestContext } from '../http/request-context.ts';
import type { MessageId, Translate } from '../shared/i18n.ts';
import { accountMessages } from '../account/account-messages.ts';
import { AccountFrame, formatTime } from '../account/account-pages.tsx';
import { describeUserAgent } from '../sessions/user-agent.ts';
import { networkOf, type SecurityEventRow, type SecurityEvents } from '../activity/security-events.ts';
import { securitySettingsMessages } from './security-settings-messages.ts';

const SHOWN_DAYS = 90;
const SHOWN_AT_MOST = 200;

/** The headline of one event, from its type, way and result only. */
export function eventWords(event: SecurityEventRow, t: Translate): string {
  const way = (via: string | null) => (via ?? '').split('+').map((part) => t(`account.via_${part}` as MessageId)).join(' + ');
  switch (event.type) {
    case 'sign_in.succeeded':
      return t('activity.sign_in_succeeded', { way: way(event.way) });
    case 'sign_in.failed': {
      const reason = event.result === 'login.invalid_credentials' || event.result === 'login.throttled' ? `activity.reason_${event.result}` : 'activity.reason_other';
      return t('activity.sign_in_failed', { reason: t(reason as MessageId) });
    }
    case 'two_step.failed':
      return t('activity.two_step_failed', { way: way(event.way) });
    case 'factor.added':
    case 'factor.changed':
    case 'factor.removed': {
      const id = `activity.factor_${event.type.slice('factor.'.length)}_${event.way}`;
      return Object.hasOwn(securitySettingsMessages, id) ? t(id as MessageId) : t('activity.factor_other');
    }
    case 'session.ended':
      return Number(event.detail.sessions ?? 1) > 1 ? t('activity.session_ended_many', { count: String(event.detail.sessions) }) : t('activity.session_ended_one');
    case 'app.consent_given':
    case 'app.consent_withdrawn':
      return t(event.type === 'app.consent_given' ? 'activity.app_consent_given' : 'activity.app_consent_withdrawn', { app: String(event.detail.appName ?? event.detail.app ?? '') });
    default:
      return t(`activity.${event.type.replace('.', '_')}` as MessageId);
  }
}

/** When, on what, from which network, and who acted if not the shopper. */
function eventFacts(event: SecurityEventRow, ctx: RequestContext, t: Translate): string {
  const facts = [formatTime(event.occurred_at, ctx.locale)];
  if (event.user_agent) {
    const { browser, system } = describeUserAgent(event.user_agent, ctx.locale);
    facts.push(t('account.device_on', { browser, system }));
  }
  const network = event.client_address ? networkOf(event.client_address) : null;
  if (network) facts.push(t('activity.from_network', { network }));
  if (event.actor) facts.push(t('activity.by_support'));
  return facts.join(' · ');
}

export function ActivityPage(props: { ctx: RequestContext; t: Translate; events: SecurityEventRow[] }): SafeHtml {
  const { ctx, t } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('activity.title')}>
      <p><a href="/account/security">{t('activity.back')}</a></p>
      <h1 id="section-title">{t('activity.title')}</h1>
      <p class="field-hint">{t('activity.hint')}</p>
      {props.events.length === 0 ? (
        <p>{t('activity.none')}</p>
      ) : (
        <ul class="session-list activity-list" aria-labelledby="section-title">
          {props.events.map((event) => (
            <li class="session-item" data-event-type={event.type}>
              <div>
                <p class="session-device">{eventWords(event, t)}</p>
                <p class="session-times">{eventFacts(event, ctx, t)}</p>
              </div>
            </li>
          ))}
        </ul>
      )}
      <p>
        {t('activity.not_you')} <a href="/account/settings">{t('activity.change_password')}</a>
      </p>
    </AccountFrame>
  );
}

/** The Security page's pointer to the list. */
export function ActivitySection(props: { t: Translate }): SafeHtml {
  const { t } = props;
  return (
    <section aria-labelledby="activity-title">
      <h2 id="activity-title">{t('activity.title')}</h2>
      <p class="field-hint">{t('activity.section_hint')}</p>
      <p><a href="/account/security/activity">{t('activity.link')}</a></p>
    </section>
  );
}

export function registerActivityPage(app: FastifyInstance, deps: { events: SecurityEvents; now: () => number }) {
  app.get('/account/security/activity', async (request, reply) => {
    const session = requireSession(request, reply);
    if (!session) return reply;
    const since = deps.now() - SHOWN_DAYS * 24 * 3600 * 1000;
    const events = await deps.events.recentFor(session.account_id, since, SHOWN_AT_MOST);
    const t = request.ctx.translator(securitySettingsMessages, accountMessages);
    return sendPage(reply, <ActivityPage ctx={request.ctx} t={t} events={events} />);
  });
}
