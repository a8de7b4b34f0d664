import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field, Page } from '../http/layout.tsx';
import { PasskeyForm } from '../http/passkey-form.tsx';
import { KeepSignedInBox, KeepSignedInCopy } from '../http/keep-signed-in.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';

export interface LoginPageModel {
  ctx: RequestContext;
  t: Translate;
  identifier?: string;
  error?: string;
  notice?: string;
  returnTo?: string;
  /** The "Sign in with the app" panel, drawn by qr-login/; undefined hides it. */
  qrPanel?: SafeHtml;
  /** Request options for "Sign in with a passkey" and the identifier's autofill (JSON); undefined hides both. */
  passkeyOptionsJson?: string;
  /** False right after a passkey was refused: the quiet autofill request would only offer it again. */
  passkeyAutofill?: boolean;
  /** The app this sign-in is for ("Sign in with <Store>" from another app), by its registered name. */
  appName?: string;
  /** The "Keep me signed in" box as the shopper left it, when the page is drawn again after a refusal. */
  keepSignedIn?: boolean;
}

export function LoginPage(model: LoginPageModel): SafeHtml {
  const { ctx, t } = model;
  return (
    <Page ctx={ctx} t={t} title={t('login.title')} path={model.returnTo ? `/login?return_to=${encodeURIComponent(model.returnTo)}` : '/login'} wide={model.qrPanel !== undefined}>
      <div class={model.qrPanel !== undefined ? 'login-layout' : undefined}>
      <section class="card" aria-labelledby="login-title">
        <h1 id="login-title">{t('login.title')}</h1>
        {model.appName ? <p class="lead" data-app-name="">{t('login.for_app', { app: model.appName })}</p> : null}
        {model.notice ? <Alert kind="info">{model.notice}</Alert> : null}
        {model.error ? <Alert kind="error">{model.error}</Alert> : null}
        <form method="post" action="/login" class="form" novalidate>
          <CsrfField ctx={ctx} />
          {model.returnTo ? <input type="hidden" name="return_to" value={model.returnTo} /> : null}
          <Field
            name="identifier"
            label={t('login.identifier')}
            value={model.identifier}
            autocomplete={model.passkeyOptionsJson ? 'username webauthn' : 'username'}
            required
            autofocus={!model.identifier}
            maxlength={254}
            extra={{ autocapitalize: 'none', spellcheck: 'false' }}
          />
          <Field name="password" type="password" label={t('login.password')} autocomplete="current-password" required autofocus={!!model.identifier} maxlength={1024} />
          <p class="forgot-link"><a href="/recovery">{t('login.forgot')}</a></p>
          <KeepSignedInBox ctx={ctx} t={t} checked={model.keepSignedIn} />
          <button type="submit" class="button button-primary">{t('login.submit')}</button>
        </form>
        {model.passkeyOptionsJson ? (
          <PasskeyForm
            ctx={ctx}
            action="/login/passkey"
            optionsJson={model.passkeyOptionsJson}
            button={t('login.passkey_button')}
            words={[t('login.passkey_unsupported'), t('login.passkey_failed'), t('login.passkey_waiting')].join('|')}
            autofill={model.passkeyAutofill !== false}
            returnTo={model.returnTo}
            extraFields={<KeepSignedInCopy ctx={ctx} />}
            className="passkey-form login-passkey"
          />
        ) : null}
        <p class="switch-link">{t('login.no_account')} <a href="/register">{t('login.create_account')}</a></p>
      </section>
      {model.qrPanel ?? null}
      </div>
    </Page>
  );
}
