// The pages of "Sign in with <Store>": consent for an app the store does not run, the ended or
// refused request, sign-out asked by an app, and the "Apps with access" section of Security.
// An app's name is the one the store registered (`gatehouse client create --name`), never text
// the app sends.
import { h, trustedHtml, type Child, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Page } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { MessageId, Translate } from '../shared/i18n.ts';
import { formatTime } from '../account/account-pages.tsx';
import type { AppWithAccess } from './consent-store.ts';

interface Base {
  ctx: RequestContext;
  t: Translate;
}

const SCOPE_WORDS: Record<string, MessageId> = {
  openid: 'oidc.scope_openid',
  email: 'oidc.scope_email',
  profile: 'oidc.scope_profile',
  offline_access: 'oidc.scope_offline_access',
  api: 'oidc.scope_api',
};

/** The scopes in the order a person reads them, each once, only those we have words for. */
export const describedScopes = (scopes: readonly string[]) => Object.keys(SCOPE_WORDS).filter((scope) => scopes.includes(scope));

export function ConsentPage(props: Base & { uid: string; appName: string; scopes: string[]; email: string }): SafeHtml {
  const { ctx, t } = props;
  const app = props.appName;
  return (
    <Page ctx={ctx} t={t} title={t('oidc.consent_title', { app })} path={`/oidc/interaction/${props.uid}`}>
      <section class="card" aria-labelledby="consent-title">
        <h1 id="consent-title">{t('oidc.consent_title', { app })}</h1>
        <p class="lead">{t('oidc.consent_lead', { app, store: ctx.storeName })}</p>
        <ul class="consent-scopes">
          {describedScopes(props.scopes).map((scope) => (
            <li data-scope={scope}>{t(SCOPE_WORDS[scope]!)}</li>
          ))}
        </ul>
        <p class="field-hint">{t('oidc.consent_signed_in_as', { email: props.email })}</p>
        <form method="post" action={`/oidc/interaction/${props.uid}/consent`} class="consent-form">
          <CsrfField ctx={ctx} />
          <div class="button-row">
            <button type="submit" name="decision" value="allow" class="button button-primary">{t('oidc.allow')}</button>
            <button type="submit" name="decision" value="deny" class="button button-secondary">{t('oidc.deny')}</button>
          </div>
        </form>
        <p class="field-hint">{t('oidc.consent_change_later')}</p>
      </section>
    </Page>
  );
}

/** The pages that only say one thing: a heading, a line under it, and what the shopper can do next. */
function NoticePage(props: Base & { title: string; lead?: string; refreshTo?: string; children?: Child }): SafeHtml {
  const { ctx, t } = props;
  return (
    <Page ctx={ctx} t={t} title={props.title} path="/login" refreshTo={props.refreshTo}>
      <section class="card" aria-labelledby="notice-title">
        <h1 id="notice-title">{props.title}</h1>
        {props.lead ? <p class="lead">{props.lead}</p> : null}
        {props.children}
      </section>
    </Page>
  );
}

export function EndedRequestPage({ ctx, t }: Base): SafeHtml {
  return <NoticePage ctx={ctx} t={t} title={t('oidc.expired_title')} lead={t('oidc.expired_lead')} />;
}

/** oidc-provider's refusals (renderError): the code is for the app's developers, the words for the shopper. */
export function ProviderErrorPage({ ctx, t, error }: Base & { error: string }): SafeHtml {
  return (
    <NoticePage ctx={ctx} t={t} title={t('oidc.error_title')} lead={t('oidc.error_lead')}>
      <p class="field-hint" data-oidc-error={error}>{t('oidc.error_code', { code: error })}</p>
    </NoticePage>
  );
}

/** `form` is oidc-provider's own (its action and anti-forgery field); the buttons submit it. */
export function SignOutPage({ ctx, t, form, appName }: Base & { form: string; appName?: string }): SafeHtml {
  const lead = appName ? t('oidc.sign_out_lead', { app: appName, store: ctx.storeName }) : t('oidc.sign_out_lead_no_app', { store: ctx.storeName });
  return (
    <NoticePage ctx={ctx} t={t} title={t('oidc.sign_out_title')} lead={lead}>
      {trustedHtml(form)}
      <div class="button-row">
        <button type="submit" form="op.logoutForm" name="logout" value="yes" class="button button-primary">{t('oidc.sign_out_yes')}</button>
        <button type="submit" form="op.logoutForm" class="button button-secondary">{t('oidc.sign_out_no')}</button>
      </div>
    </NoticePage>
  );
}

export function SignedOutPage({ ctx, t }: Base): SafeHtml {
  return (
    <NoticePage ctx={ctx} t={t} title={t('oidc.signed_out_title')} lead={t('oidc.signed_out_lead')}>
      <p><a class="button button-secondary" href="/login">{t('layout.sign_in')}</a></p>
    </NoticePage>
  );
}

export function AppsWithAccessSection(props: Base & { apps: AppWithAccess[] }): SafeHtml {
  const { ctx, t, apps } = props;
  return (
    <section class="apps-with-access" id="apps" aria-labelledby="apps-title">
      <h2 id="apps-title">{t('oidc.apps_title')}</h2>
      <p class="field-hint">{t('oidc.apps_explain', { store: ctx.storeName })}</p>
      {apps.length === 0 ? (
        <p class="apps-none">{t('oidc.apps_none')}</p>
      ) : (
        <ul class="factor-list" aria-labelledby="apps-title">
          {apps.map((app) => (
            <li class="factor-item is-set" data-factor="app" data-client-id={app.clientId}>
              <div class="factor-about">
                <p class="factor-name">{app.name}</p>
                <p class="factor-state">{t('oidc.apps_allowed', { when: formatTime(app.grantedAt, ctx.locale) })}</p>
                <ul class="consent-scopes consent-scopes-small">
                  {describedScopes(app.scopes).map((scope) => (
                    <li data-scope={scope}>{t(SCOPE_WORDS[scope]!)}</li>
                  ))}
                </ul>
              </div>
              <form method="post" action="/account/security/apps/remove" class="factor-actions">
                <CsrfField ctx={ctx} />
                <input type="hidden" name="client_id" value={app.clientId} />
                <button type="submit" class="button button-small">{t('oidc.apps_remove')}</button>
              </form>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/**
 * "Returning to <app>…": the step from Gatehouse's pages back to the app. A redirect there would
 * continue the sign-in or consent form's redirect chain to the app's address, which the pages'
 * CSP (form-action 'self') rightly stops; this page ends the chain and goes on by itself.
 */
export function ContinuePage({ ctx, t, to, appName }: Base & { to: string; appName?: string }): SafeHtml {
  const title = appName ? t('oidc.continue_title', { app: appName }) : t('oidc.continue_title_no_app');
  return (
    <NoticePage ctx={ctx} t={t} title={title} refreshTo={to}>
      <p><a class="button button-primary" href={to} data-continue="">{t('oidc.continue')}</a></p>
    </NoticePage>
  );
}
