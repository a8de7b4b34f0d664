// Pieces of the "other ways to verify" screens, shared by recovery, Change password and two-step
// sign-in: the list of ways, the text-message code form, and the card where an authenticator or
// backup code is typed.
import type { SecurityConfig } from '../config/config.ts';
import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field, Page } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';
import { CodeForm, ResendButton, type CodePageModel } from '../verification/code-page.tsx';

/** A masked number never breaks across lines ("+7 *** ***-**-12"): no-break spaces and hyphens. */
export const keepTogether = (text: string) => text.replace(/ /g, '\u00a0').replace(/-/g, '\u2011');

export interface WaysModel {
  ctx: RequestContext;
  t: Translate;
  flowId: string;
  /** Which ways to list; a missing action hides that way. */
  smsSendAction?: string;
  authenticatorHref?: string;
  backupCodeHref?: string;
  /** "Use a passkey" (passkeys/passkey-way.tsx): listed first, the one way a phishing page cannot relay. */
  passkeyHref?: string;
  emailResendAction?: string;
  /** Masked number when the page may show it (signed in, or after the password at sign-in). */
  phone?: string | null;
  backupCodesLeft?: number;
  secondsUntilText: number;
  secondsUntilEmail: number;
}

export function WaysList(model: WaysModel): SafeHtml {
  const { t, ctx } = model;
  const seconds = (s: string | number) => t('ways.seconds', { s });
  return (
    <ul class="choice-list">
      {model.passkeyHref ? (
        <li class="choice" data-way="passkey">
          <h2 class="choice-title">{t('ways.passkey')}</h2>
          <p class="field-hint">{t('ways.passkey_hint')}</p>
          <a class="button button-secondary" href={model.passkeyHref}>{t('ways.passkey_use')}</a>
        </li>
      ) : null}
      {model.smsSendAction ? (
        <li class="choice" data-way="sms">
          <h2 class="choice-title">{t('ways.sms')}</h2>
          <p class="field-hint">{model.phone ? t('ways.sms_hint_to', { phone: keepTogether(model.phone) }) : t('ways.sms_hint_any')}</p>
          <form method="post" action={model.smsSendAction}>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="flow" value={model.flowId} />
            <input type="hidden" name="first" value="1" />
            <ResendButton secondsLeft={model.secondsUntilText} label={t('ways.sms_send')} waitingLabel={(s) => `${t('ways.sms_send')} (${seconds(s)})`} />
          </form>
        </li>
      ) : null}
      {model.authenticatorHref ? (
        <li class="choice" data-way="totp">
          <h2 class="choice-title">{t('ways.totp')}</h2>
          <p class="field-hint">{t('ways.totp_hint')}</p>
          <a class="button button-secondary" href={model.authenticatorHref}>{t('ways.totp_use')}</a>
        </li>
      ) : null}
      {model.backupCodeHref ? (
        <li class="choice" data-way="backup_code">
          <h2 class="choice-title">{t('ways.backup')}</h2>
          <p class="field-hint">{model.backupCodesLeft !== undefined ? t('ways.backup_hint_left', { n: model.backupCodesLeft }) : t('ways.backup_hint')}</p>
          <a class="button button-secondary" href={model.backupCodeHref}>{t('ways.backup_use')}</a>
        </li>
      ) : null}
      {model.emailResendAction ? (
        <li class="choice" data-way="email">
          <h2 class="choice-title">{t('ways.email')}</h2>
          <p class="field-hint">{t('other_ways.email_again_hint')}</p>
          <form method="post" action={model.emailResendAction}>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="flow" value={model.flowId} />
            <ResendButton secondsLeft={model.secondsUntilEmail} label={t('other_ways.email_again')} waitingLabel={(s) => `${t('other_ways.email_again')} (${seconds(s)})`} />
          </form>
        </li>
      ) : null}
    </ul>
  );
}

export type TextCodeModel = Omit<CodePageModel, 'destination' | 'help' | 'resendLabel' | 'cooldownSeconds' | 'lifetimeMinutes'> & {
  /** The masked number, or null where the page must not tell whether the account has one (recovery). */
  phone: string | null;
  security: Pick<SecurityConfig, 'resendCooldownSeconds' | 'codeLifetimeSeconds'>;
  /** The second "Didn't receive the code?" item; by default, where the number comes from. */
  numberHelp?: string;
};

/** The code form for a text message: the shared code form with the SMS words (sent-to line, help, send-again button). */
export function TextCodeForm(model: TextCodeModel): SafeHtml {
  const { t, phone, security, numberHelp, ...rest } = model;
  return (
    <CodeForm
      {...rest}
      t={t}
      // Only shown through sentText and help, which are both set here.
      destination={phone ?? t('ways.sms')}
      sentText={model.sentText ?? (phone ? t('sms_page.sent_to', { phone: keepTogether(phone) }) : t('sms_page.sent_any'))}
      cooldownSeconds={security.resendCooldownSeconds}
      lifetimeMinutes={Math.round(security.codeLifetimeSeconds / 60)}
      help={[t('sms_page.help_signal'), numberHelp ?? t('sms_page.help_number')]}
      resendLabel={t('sms_page.get_code')}
    />
  );
}

/** A page holding only the text-message code form (sign-in's second step, recovery, phone set-up). */
export function TextCodePage(model: TextCodeModel): SafeHtml {
  return (
    <Page ctx={model.ctx} t={model.t} title={model.t('code_page.title')} path={`${model.confirmAction}?flow=${model.flowId}`}>
      <TextCodeForm {...model} />
    </Page>
  );
}

export interface FactorCodeModel {
  ctx: RequestContext;
  t: Translate;
  flowId: string;
  way: 'totp' | 'backup_code';
  action: string;
  error?: string;
  notice?: string;
  /** True when this is the second proof of the flow ("Almost done"). */
  secondStep?: boolean;
  links: { href: string; label: string }[];
}

/** The card where an authenticator code or a backup code is typed. */
export function FactorCodeCard(model: FactorCodeModel): SafeHtml {
  const { t, ctx } = model;
  const totp = model.way === 'totp';
  const title = t(totp ? 'totp_page.title' : 'backup_page.title');
  return (
    <section class="card" aria-labelledby="factor-title">
      {model.secondStep ? <p class="eyebrow">{t('factor_page.step_two')}</p> : null}
      <h1 id="factor-title">{title}</h1>
      <p class="lead">{totp ? t('totp_page.lead', { store: model.ctx.storeName }) : t('backup_page.lead')}</p>
      {model.notice ? <Alert kind="success">{model.notice}</Alert> : null}
      <form method="post" action={model.action} class="form" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="flow" value={model.flowId} />
        {totp ? (
          <Field name="code" label={t('totp_page.code_label')} inputmode="numeric" autocomplete="one-time-code" maxlength={7} required autofocus error={model.error} extra={{ pattern: '[0-9 ]*', class: 'code-input', spellcheck: 'false' }} />
        ) : (
          <Field name="code" label={t('backup_page.code_label')} autocomplete="off" maxlength={12} required autofocus error={model.error} extra={{ class: 'code-input code-input-text', spellcheck: 'false', autocapitalize: 'none' }} />
        )}
        <button type="submit" class="button button-primary">{t('factor_page.confirm')}</button>
      </form>
      <p class="secondary-links">
        {model.links.map((link) => <a href={link.href}>{link.label}</a>)}
      </p>
    </section>
  );
}
