import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field, Page, StrengthMeter } from '../http/layout.tsx';
import { KeepSignedInBox } from '../http/keep-signed-in.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';
import { CodeForm, type CodePageModel } from '../verification/code-page.tsx';

export interface RegistrationFormModel {
  ctx: RequestContext;
  t: Translate;
  values: { email?: string; login_name?: string; password?: string; password_confirmation?: string; keep_signed_in?: boolean };
  errors: Partial<Record<'email' | 'login_name' | 'password' | 'password_confirmation' | 'form', string>>;
}

export function RegistrationPage(model: RegistrationFormModel): SafeHtml {
  const { ctx, t, values, errors } = model;
  return (
    <Page ctx={ctx} t={t} title={t('registration.title')} path="/register">
      <section class="card" aria-labelledby="register-title">
        <h1 id="register-title">{t('registration.title')}</h1>
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <form method="post" action="/register" class="form" novalidate>
          <CsrfField ctx={ctx} />
          <Field name="email" type="email" label={t('registration.email')} hint={t('registration.email_hint')} value={values.email} error={errors.email} autocomplete="email" required autofocus={!errors.login_name && !errors.password && !errors.password_confirmation} maxlength={254} extra={{ autocapitalize: 'none', spellcheck: 'false' }} />
          <Field name="login_name" label={t('registration.login_name')} hint={t('registration.login_name_hint')} value={values.login_name} error={errors.login_name} autocomplete="username" autofocus={!!errors.login_name} maxlength={32} extra={{ autocapitalize: 'none', spellcheck: 'false' }} />
          <Field name="password" type="password" label={t('registration.password')} hint={t('password.strength_hint')} value={values.password} error={errors.password} autocomplete="new-password" required autofocus={!!errors.password} maxlength={1024}>
            <StrengthMeter t={t} forField="password" />
          </Field>
          <Field name="password_confirmation" type="password" label={t('registration.password_confirmation')} value={values.password_confirmation} error={errors.password_confirmation} autocomplete="new-password" required autofocus={!!errors.password_confirmation} maxlength={1024} />
          <KeepSignedInBox ctx={ctx} t={t} checked={values.keep_signed_in} />
          <button type="submit" class="button button-primary">{t('registration.submit')}</button>
        </form>
        <p class="switch-link">{t('registration.have_account')} <a href="/login">{t('registration.sign_in')}</a></p>
      </section>
    </Page>
  );
}

export function RegistrationCodePage(model: CodePageModel): SafeHtml {
  return (
    <Page ctx={model.ctx} t={model.t} title={model.t('code_page.title')} path={`/register/code?flow=${model.flowId}`}>
      <CodeForm {...model} />
    </Page>
  );
}
