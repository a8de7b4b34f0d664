// My account → Security: the two-step section, "Confirm it's you", adding a phone, setting up an
// authenticator app, and the backup codes shown once.
import { AccountFrame } from '../account/account-pages.tsx';
import { backupCodesFile } from '../factors/backup-codes.ts';
import { keepTogether } from '../factors/factor-pages.tsx';
import { hasSecondFactor, type FactorSummary } from '../factors/factor-store.ts';
import { groupSecretForTyping } from '../factors/totp.ts';
import { h, trustedHtml, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field } from '../http/layout.tsx';
import { PasskeyForm } from '../http/passkey-form.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';

interface Base {
  ctx: RequestContext;
  t: Translate;
}

function PostButton(props: { ctx: RequestContext; action: string; label: string; primary?: boolean; fields?: Record<string, string> }): SafeHtml {
  return (
    <form method="post" action={props.action} class="inline-form">
      <CsrfField ctx={props.ctx} />
      {Object.entries(props.fields ?? {}).map(([name, value]) => <input type="hidden" name={name} value={value} />)}
      <button type="submit" class={props.primary ? 'button button-primary' : 'button button-small'}>{props.label}</button>
    </form>
  );
}

/** The section at the top of the Security page. */
export function TwoStepSection(props: { ctx: RequestContext; t: Translate; factors: FactorSummary; textsAvailable: boolean }): SafeHtml {
  const { ctx, t, factors } = props;
  const canTurnOn = hasSecondFactor(factors);
  return (
    <div class="two-step" id="two-step">
      <h2>
        {t('two_step.title')}{' '}
        <span class={factors.twoStep ? 'badge badge-ok' : 'badge'} data-two-step={factors.twoStep ? 'on' : 'off'}>{t(factors.twoStep ? 'two_step.on' : 'two_step.off')}</span>
      </h2>
      <p class="field-hint">{t('two_step.explain')}</p>
      <ul class="factor-list">
        <li class={factors.phone ? 'factor-item is-set' : 'factor-item'} data-factor="phone">
          <div class="factor-about">
            <p class="factor-name">{t('two_step.phone')}</p>
            <p class="factor-state">{factors.phone ? keepTogether(factors.phone) : t('two_step.not_set')}</p>
          </div>
          <div class="factor-actions">
            {props.textsAvailable ? <a class="button button-small" href="/account/security/phone">{t(factors.phone ? 'two_step.phone_change' : 'two_step.phone_add')}</a> : <span class="field-hint">{t('two_step.texts_off')}</span>}
            {factors.phone ? <PostButton ctx={ctx} action="/account/security/phone/remove" label={t('two_step.remove')} /> : null}
          </div>
        </li>
        <li class={factors.totp ? 'factor-item is-set' : 'factor-item'} data-factor="totp">
          <div class="factor-about">
            <p class="factor-name">{t('two_step.totp')}</p>
            <p class="factor-state">{t(factors.totp ? 'two_step.totp_on' : 'two_step.not_set')}</p>
          </div>
          <div class="factor-actions">
            {factors.totp ? (
              <PostButton ctx={ctx} action="/account/security/authenticator/remove" label={t('two_step.remove')} />
            ) : (
              <PostButton ctx={ctx} action="/account/security/authenticator/start" label={t('two_step.totp_add')} />
            )}
          </div>
        </li>
        <li class={factors.backupCodesLeft > 0 ? 'factor-item is-set' : 'factor-item'} data-factor="backup_codes">
          <div class="factor-about">
            <p class="factor-name">{t('two_step.backup')}</p>
            <p class="factor-state" data-backup-left={String(factors.backupCodesLeft)}>{factors.backupCodesLeft > 0 ? t('two_step.backup_left', { n: factors.backupCodesLeft }) : t('two_step.backup_none')}</p>
          </div>
          <div class="factor-actions">
            <PostButton ctx={ctx} action="/account/security/backup-codes" label={t('two_step.backup_new')} />
          </div>
        </li>
      </ul>
      {factors.twoStep ? (
        <PostButton ctx={ctx} action="/account/security/two-step" label={t('two_step.turn_off')} fields={{ on: '0' }} />
      ) : canTurnOn ? (
        <PostButton ctx={ctx} action="/account/security/two-step" label={t('two_step.turn_on')} primary fields={{ on: '1' }} />
      ) : (
        <p class="field-hint">{t('two_step.needs_factor_hint')}</p>
      )}
    </div>
  );
}

export function ReverifyPage(props: Base & { returnTo: string; error?: string; passkeyError?: string; passkeyOptionsJson?: string }): SafeHtml {
  const { ctx, t } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('reverify.title')}>
      <h1 id="section-title">{t('reverify.title')}</h1>
      <p class="lead">{t(props.passkeyOptionsJson ? 'reverify.lead_with_passkey' : 'reverify.lead')}</p>
      {props.passkeyError ? <Alert kind="error">{props.passkeyError}</Alert> : null}
      {props.passkeyOptionsJson ? (
        <PasskeyForm
          ctx={ctx}
          action="/account/confirm/passkey"
          optionsJson={props.passkeyOptionsJson}
          button={t('reverify.passkey_button')}
          words={[t('reverify.passkey_unsupported'), t('reverify.passkey_failed'), t('reverify.passkey_waiting')].join('|')}
          returnTo={props.returnTo}
          className="passkey-form narrow-form reverify-passkey"
        />
      ) : null}
      <form method="post" action="/account/confirm" class="form narrow-form" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="return_to" value={props.returnTo} />
        <Field name="password" type="password" label={t('reverify.password')} autocomplete="current-password" required autofocus={!props.passkeyOptionsJson} maxlength={1024} error={props.error} />
        <div class="button-row">
          <button type="submit" class="button button-primary">{t('reverify.submit')}</button>
          <a class="button button-secondary" href="/account/security">{t('reverify.cancel')}</a>
        </div>
      </form>
    </AccountFrame>
  );
}

export function PhoneSetupPage(props: Base & { phone?: string; error?: string }): SafeHtml {
  const { ctx, t } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('phone_setup.title')}>
      <h1 id="section-title">{t('phone_setup.title')}</h1>
      <p class="lead">{t('phone_setup.lead')}</p>
      <form method="post" action="/account/security/phone" class="form narrow-form" novalidate>
        <CsrfField ctx={ctx} />
        <Field name="phone" type="tel" label={t('phone_setup.number')} hint={t('phone_setup.number_hint')} value={props.phone} autocomplete="tel" required autofocus maxlength={32} error={props.error} />
        <div class="button-row">
          <button type="submit" class="button button-primary">{t('phone_setup.send')}</button>
          <a class="button button-secondary" href="/account/security">{t('reverify.cancel')}</a>
        </div>
      </form>
    </AccountFrame>
  );
}

export function AuthenticatorSetupPage(props: Base & { flowId: string; secret: string; qrSvg: string; error?: string; offerTwoStep: boolean; turnOnTwoStep: boolean }): SafeHtml {
  const { ctx, t } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('totp_setup.title')}>
      <h1 id="section-title">{t('totp_setup.title')}</h1>
      <ol class="setup-steps">
        <li>
          <p>{t('totp_setup.step_scan')}</p>
          <div class="qr-code totp-qr" role="img" aria-label={t('totp_setup.qr_alt', { store: ctx.storeName })}>{trustedHtml(props.qrSvg)}</div>
          <p class="field-hint">{t('totp_setup.cant_scan')}</p>
          <p class="secret-key" data-totp-secret={props.secret}><code>{groupSecretForTyping(props.secret)}</code></p>
        </li>
        <li>
          <p>{t('totp_setup.step_code')}</p>
          <form method="post" action="/account/security/authenticator" class="form narrow-form" novalidate>
            <CsrfField ctx={ctx} />
            <input type="hidden" name="flow" value={props.flowId} />
            <Field name="code" label={t('totp_setup.code')} inputmode="numeric" autocomplete="one-time-code" maxlength={7} required error={props.error} extra={{ pattern: '[0-9 ]*', class: 'code-input', spellcheck: 'false' }} />
            {props.offerTwoStep ? <TwoStepChoice t={t} checked={props.turnOnTwoStep} hint={t('totp_setup.two_step_hint')} /> : null}
            <div class="button-row">
              <button type="submit" class="button button-primary">{t('totp_setup.submit')}</button>
              <a class="button button-secondary" href="/account/security">{t('reverify.cancel')}</a>
            </div>
          </form>
        </li>
      </ol>
    </AccountFrame>
  );
}

/**
 * "Turn on two-step verification", ticked unless the shopper unticked it, on the page that sets up
 * a first factor while two-step is off: the factor has just proved itself, the moment to ask for it
 * at sign-in (an unticked box sends nothing, so "off" is its absence).
 */
export function TwoStepChoice({ t, checked, hint }: { t: Translate; checked: boolean; hint: string }): SafeHtml {
  return (
    <div class="checkbox-field">
      <input type="checkbox" id="field-two_step" name="two_step" value="1" checked={checked} aria-describedby="field-two_step-hint" />
      <label for="field-two_step">{t('totp_setup.two_step')}</label>
      <p class="field-hint" id="field-two_step-hint">{hint}</p>
    </div>
  );
}

/** Shown once, right after the codes are made; only hashes are kept, so this is the only copy. */
export function BackupCodesPage(props: Base & { codes: string[]; account: string; createdAt: number; replaced: boolean; notice?: string }): SafeHtml {
  const { ctx, t } = props;
  const file = backupCodesFile({ codes: props.codes, storeName: ctx.storeName, account: props.account, createdAt: new Date(props.createdAt), locale: ctx.locale });
  const href = `data:text/plain;charset=utf-8,${encodeURIComponent(file)}`;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('backup.title')}>
      <h1 id="section-title">{t('backup.title')}</h1>
      {props.notice ? <Alert kind="success">{props.notice}</Alert> : null}
      <p class="lead">{t('backup.lead')}</p>
      {props.replaced ? <Alert kind="info">{t('backup.old_void')}</Alert> : null}
      <ol class="backup-codes" aria-label={t('backup.title')}>
        {props.codes.map((code) => <li><code data-backup-code={code}>{code}</code></li>)}
      </ol>
      <div class="button-row">
        <a class="button button-secondary" href={href} download={`${ctx.storeName.replace(/[^\p{L}\p{N}]+/gu, '-')}-backup-codes.txt`}>{t('backup.download')}</a>
        <a class="button button-primary" href="/account/security">{t('backup.done')}</a>
      </div>
    </AccountFrame>
  );
}
