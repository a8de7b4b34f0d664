// The screens of recovery and Change password: one field → code → other ways → new password → done.
import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field, Page, StrengthMeter } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';
import { CodeForm, type CodePageModel } from '../verification/code-page.tsx';
import type { ResetVariant } from './reset-variants.ts';

interface Base {
  ctx: RequestContext;
  t: Translate;
}

export function RecoveryStartPage(props: Base & { identifier?: string; error?: string }): SafeHtml {
  const { ctx, t } = props;
  return (
    <Page ctx={ctx} t={t} title={t('recovery.title')} path="/recovery">
      <section class="card" aria-labelledby="recovery-title">
        <h1 id="recovery-title">{t('recovery.title')}</h1>
        <p class="lead">{t('recovery.intro')}</p>
        <form method="post" action="/recovery" class="form" novalidate>
          <CsrfField ctx={ctx} />
          <Field
            name="identifier"
            label={t('recovery.identifier')}
            value={props.identifier}
            error={props.error}
            autocomplete="username"
            required
            autofocus
            maxlength={254}
            extra={{ autocapitalize: 'none', spellcheck: 'false' }}
          />
          <button type="submit" class="button button-primary" data-enable-when-filled="field-identifier">{t('recovery.continue')}</button>
        </form>
        <p class="switch-link"><a href="/login">{t('recovery.back_to_sign_in')}</a></p>
      </section>
    </Page>
  );
}

export function ResetCodePage(props: CodePageModel & { variant: ResetVariant }): SafeHtml {
  const paths = props.variant.paths;
  return (
    <Page ctx={props.ctx} t={props.t} title={props.t('code_page.title')} path={`${paths.code}?flow=${props.flowId}`}>
      <CodeForm {...props} />
    </Page>
  );
}

export interface NewPasswordModel extends Base {
  variant: ResetVariant;
  flowId: string;
  values: { password?: string; password_confirmation?: string };
  signOutOthers: boolean;
  errors: Partial<Record<'password' | 'password_confirmation' | 'form', string>>;
}

export function NewPasswordPage(props: NewPasswordModel): SafeHtml {
  const { ctx, t, values, errors } = props;
  const paths = props.variant.paths;
  return (
    <Page ctx={ctx} t={t} title={t('new_password.title')} path={`${paths.password}?flow=${props.flowId}`}>
      <section class="card" aria-labelledby="new-password-title">
        <h1 id="new-password-title">{t('new_password.title')}</h1>
        {errors.form ? <Alert kind="error">{errors.form}</Alert> : null}
        <form method="post" action={paths.password} class="form" novalidate>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="flow" value={props.flowId} />
          <Field name="password" type="password" label={t('new_password.password')} hint={t('password.strength_hint')} value={values.password} error={errors.password} autocomplete="new-password" required autofocus={!errors.password_confirmation} maxlength={1024}>
            <StrengthMeter t={t} forField="password" />
          </Field>
          <Field name="password_confirmation" type="password" label={t('new_password.confirmation')} value={values.password_confirmation} error={errors.password_confirmation} autocomplete="new-password" required autofocus={!!errors.password_confirmation} maxlength={1024} />
          <div class="checkbox-field">
            <input type="checkbox" id="field-sign_out_others" name="sign_out_others" value="1" checked={props.signOutOthers} aria-describedby="field-sign_out_others-hint" />
            <label for="field-sign_out_others">{t('new_password.sign_out_others')}</label>
            <p class="field-hint" id="field-sign_out_others-hint">{t('new_password.sign_out_hint')}</p>
          </div>
          <button type="submit" class="button button-primary">{t('new_password.submit')}</button>
        </form>
      </section>
    </Page>
  );
}

export function PasswordChangedPage(props: Base & { variant: ResetVariant }): SafeHtml {
  const { ctx, t } = props;
  const { words } = props.variant;
  return (
    <Page ctx={ctx} t={t} title={t('done.title')} path={props.variant.paths.done}>
      <section class="card card-success" aria-labelledby="done-title">
        <div class="success-mark" aria-hidden="true">✓</div>
        <h1 id="done-title">{t('done.title')}</h1>
        <p>{t(words.doneText)}</p>
        <a class="button button-primary" href={words.doneNext.href}>{t(words.doneNext.label)}</a>
      </section>
    </Page>
  );
}
