// My account: a left-hand menu (Overview, Settings, Security) beside the chosen section.
import { h, type Child, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Page } from '../http/layout.tsx';
import type { RequestContext, SignedIn } from '../http/request-context.ts';
import { describeDuration, type Locale, type MessageId, type Translate } from '../shared/i18n.ts';
import type { SessionRow } from '../sessions/session-store.ts';
import { describeUserAgent } from '../sessions/user-agent.ts';
import { maskEmail } from '../courier/mask.ts';

type Section = 'overview' | 'settings' | 'security';

export function formatTime(ms: number, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === 'ru' ? 'ru-RU' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }).format(ms) + ' UTC';
}

export function AccountFrame(props: { ctx: RequestContext; t: Translate; section: Section; title: string; children?: Child }): SafeHtml {
  const { t, section } = props;
  const links: [Section, string, string][] = [
    ['overview', '/account', t('account.overview')],
    ['settings', '/account/settings', t('account.settings')],
    ['security', '/account/security', t('account.security')],
  ];
  return (
    <Page ctx={props.ctx} t={t} title={props.title} path={links.find(([s]) => s === section)![1]} wide>
      <div class="account-layout">
        <nav class="account-menu" aria-label={t('account.menu')}>
          <p class="account-menu-title">{t('account.title')}</p>
          <ul>
            {links.map(([key, href, label]) => (
              <li><a href={href} aria-current={key === section ? 'page' : undefined}>{label}</a></li>
            ))}
          </ul>
        </nav>
        <section class="card account-content" aria-labelledby="section-title">
          {props.children}
        </section>
      </div>
    </Page>
  );
}

/**
 * First page after a QR sign-in. Someone who photographs a shopper's QR and confirms it in their
 * own app signs that browser into *their* account (login CSRF): the account it landed in is said
 * plainly, with the way out next to it.
 */
function SignedInByQrNotice(props: { ctx: RequestContext; t: Translate; email: string }): SafeHtml {
  const { ctx, t } = props;
  return (
    <div class="alert alert-info qr-signed-in" role="status" data-qr-signed-in="">
      <p><strong>{t('account.qr_signed_in_as', { email: maskEmail(props.email) })}</strong></p>
      <form method="post" action="/logout" class="inline-form">
        <CsrfField ctx={ctx} />
        {t('account.qr_not_you')} <button type="submit" class="link-button">{t('account.qr_sign_out')}</button>
      </form>
    </div>
  );
}

export function OverviewPage(props: { ctx: RequestContext; t: Translate; session: SignedIn; createdAt: number; welcome: boolean; signedInByQr?: boolean }): SafeHtml {
  const { t, session, ctx } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="overview" title={t('account.overview')}>
      <h1 id="section-title">{t('account.overview')}</h1>
      {props.welcome ? <Alert kind="success">{t('account.welcome')}</Alert> : null}
      {props.signedInByQr ? <SignedInByQrNotice ctx={ctx} t={t} email={session.email} /> : null}
      <dl class="facts">
        <dt>{t('account.email')}</dt>
        <dd>
          {session.email}{' '}
          <span class={session.email_verified_at ? 'badge badge-ok' : 'badge'}>{session.email_verified_at ? t('account.verified') : t('account.unverified')}</span>
        </dd>
        <dt>{t('account.login_name')}</dt>
        <dd>{session.login_name ?? t('account.no_login_name')}</dd>
        <dt>{t('account.member_since')}</dt>
        <dd>{formatTime(props.createdAt, ctx.locale)}</dd>
      </dl>
    </AccountFrame>
  );
}

export function SettingsPage(props: { ctx: RequestContext; t: Translate; accountLocale: string; email: string; saved: boolean; passwordError?: string }): SafeHtml {
  const { t, ctx } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="settings" title={t('account.settings')}>
      <h1 id="section-title">{t('account.settings')}</h1>
      {props.saved ? <Alert kind="success">{t('account.saved')}</Alert> : null}
      <form method="post" action="/account/settings/language" class="form">
        <CsrfField ctx={ctx} />
        <div class="field">
          <label for="field-locale">{t('account.language')}</label>
          <select id="field-locale" name="locale">
            <option value="en" selected={props.accountLocale === 'en'}>English</option>
            <option value="ru" selected={props.accountLocale === 'ru'}>Русский</option>
          </select>
        </div>
        <button type="submit" class="button button-secondary">{t('account.save')}</button>
      </form>
      <h2 id="change-password">{t('change.title')}</h2>
      {props.passwordError ? <Alert kind="error">{props.passwordError}</Alert> : null}
      <p class="field-hint">{t('change.intro', { email: props.email })}</p>
      <form method="post" action="/account/password" class="form">
        <CsrfField ctx={ctx} />
        <button type="submit" class="button button-secondary">{t('change.send_code')}</button>
      </form>
    </AccountFrame>
  );
}

/** How long a session lasts, in words: a kept one until its end, a short one until it goes unused (the app's needs no line). */
function sessionLifetime(session: SessionRow, idleSeconds: number, t: Translate, locale: Locale): string | null {
  if (session.kind === 'app') return null;
  if (session.kept_signed_in === 1) return t('account.kept_until', { date: formatTime(session.expires_at, locale) });
  return t('account.short_session', { idle: describeDuration(idleSeconds, locale), date: formatTime(session.expires_at, locale) });
}

export function SecurityPage(props: { ctx: RequestContext; t: Translate; sessions: SessionRow[]; currentId: string; idleSeconds: number; notice?: string; children?: Child }): SafeHtml {
  const { t, ctx } = props;
  const others = props.sessions.filter((s) => s.id !== props.currentId);
  const ordered = [...props.sessions.filter((s) => s.id === props.currentId), ...others];
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('account.security')}>
      <h1 id="section-title">{t('account.security')}</h1>
      {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
      {props.children}
      <h2 id="sessions-title">{t('account.sessions')}</h2>
      <p class="field-hint">{t('account.sessions_hint')}</p>
      <ul class="session-list" aria-labelledby="sessions-title">
        {ordered.map((session) => {
          const { browser, system } = describeUserAgent(session.user_agent, ctx.locale);
          // The store's own app names itself in its User-Agent, which we never echo: we name it.
          const device = { browser: session.kind === 'app' ? t('account.store_app', { store: props.ctx.storeName }) : browser, system };
          const current = session.id === props.currentId;
          const lifetime = sessionLifetime(session, props.idleSeconds, t, ctx.locale);
          return (
            <li class="session-item" data-session-id={session.id}>
              <div class="session-facts">
                <p class="session-device">
                  {t('account.device_on', device)}
                  {current ? <span class="badge badge-ok">{t('account.this_device')}</span> : null}
                  {session.kept_signed_in === 1 ? <span class="badge">{t('account.kept_badge')}</span> : null}
                </p>
                <p class="session-times">
                  {t('account.signed_in_at')}: {formatTime(session.created_at, ctx.locale)} ({session.authenticated_via.split('+').map((via) => t(`account.via_${via}` as MessageId)).join(' + ')}) · {t('account.last_seen')}: {formatTime(session.last_seen_at, ctx.locale)}
                </p>
                {lifetime ? <p class="session-times" data-session-lifetime="">{lifetime}</p> : null}
              </div>
              {current ? null : (
                <form method="post" action={`/account/sessions/${session.id}/end`}>
                  <CsrfField ctx={ctx} />
                  <button type="submit" class="button button-small">
                    {t('account.end_session')}<span class="visually-hidden"> {t('account.device_on', device)}</span>
                  </button>
                </form>
              )}
            </li>
          );
        })}
      </ul>
      {others.length > 0 ? (
        <form method="post" action="/account/sessions/end-others">
          <CsrfField ctx={ctx} />
          <button type="submit" class="button button-secondary">{t('account.end_other_sessions')}</button>
        </form>
      ) : (
        <p class="field-hint">{t('account.no_other_sessions')}</p>
      )}
    </AccountFrame>
  );
}
