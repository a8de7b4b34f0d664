// The "Enter the verification code" screen shared by sign-up and recovery (DESIGN.md §1): where
// the code went, the code field, *Confirm*, *Get code* with its 60 s countdown, help text.
import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';

export interface CodePageModel {
  ctx: RequestContext;
  t: Translate;
  flowId: string;
  /** Only what the visitor typed themselves, or a masked address. */
  destination: string;
  confirmAction: string;
  resendAction: string;
  secondsUntilResend: number;
  cooldownSeconds: number;
  lifetimeMinutes: number;
  error?: string;
  /** Why *Get code* was refused (too soon, send limits): shown beside that button. */
  resendError?: string;
  notice?: string;
  otherWaysHref?: string;
  startOverHref: string;
  /** Replaces "We sent a code to …" where the flow must not claim a code went anywhere. */
  sentText?: string;
  startOverLabel?: string;
  /** "Didn't receive the code?" items; the email's by default (spam folder, wait, address). */
  help?: string[];
  /** The send-again button's words; "Get code" by default. */
  resendLabel?: string;
}

/**
 * A send-again button, disabled with the seconds left until the server will send again;
 * enhance.js counts down (`{s}` in data-label-waiting) and enables it.
 */
export function ResendButton(props: { secondsLeft: number; label: string; waitingLabel: (seconds: string | number) => string }): SafeHtml {
  const waiting = props.secondsLeft > 0;
  return (
    <button
      type="submit"
      class="button button-secondary"
      disabled={waiting}
      data-countdown={waiting ? String(props.secondsLeft) : undefined}
      data-label={props.label}
      data-label-waiting={props.waitingLabel('{s}')}
    >
      {waiting ? props.waitingLabel(props.secondsLeft) : props.label}
    </button>
  );
}

export function CodeForm(model: CodePageModel): SafeHtml {
  const { t, ctx } = model;
  const waiting = model.secondsUntilResend > 0;
  return (
    <section class="card" aria-labelledby="code-title">
      <h1 id="code-title">{t('code_page.title')}</h1>
      <p class="lead">{model.sentText ?? t('code_page.sent_to', { destination: model.destination })} {t('code_page.valid_for', { minutes: model.lifetimeMinutes })}</p>
      {model.notice ? <Alert kind="success">{model.notice}</Alert> : null}
      <form method="post" action={model.confirmAction} class="form" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="flow" value={model.flowId} />
        <Field
          name="code"
          label={t('code_page.code_label')}
          inputmode="numeric"
          autocomplete="one-time-code"
          maxlength={6}
          required
          autofocus
          error={model.error}
          extra={{ pattern: '[0-9]*', class: 'code-input', spellcheck: 'false' }}
        />
        <button type="submit" class="button button-primary">{t('code_page.confirm')}</button>
      </form>
      <form method="post" action={model.resendAction} class="resend-form">
        {model.resendError ? <Alert kind="error">{model.resendError}</Alert> : null}
        <CsrfField ctx={ctx} />
        <input type="hidden" name="flow" value={model.flowId} />
        <ResendButton
          secondsLeft={model.secondsUntilResend}
          label={model.resendLabel ?? t('code_page.get_code')}
          waitingLabel={(s) => (model.resendLabel ? `${model.resendLabel} (${t('code_page.seconds', { s })})` : t('code_page.get_code_in', { seconds: s }))}
        />
        <p class="field-hint">{t('code_page.wait_hint', { seconds: model.cooldownSeconds })}</p>
        {waiting ? <noscript><p class="field-hint">{t('code_page.no_script_wait')}</p></noscript> : null}
      </form>
      <details class="help">
        <summary>{t('code_page.help_title')}</summary>
        <ul>
          {(model.help ?? [t('code_page.help_spam'), t('code_page.help_wait'), t('code_page.help_address', { destination: model.destination })]).map((item) => <li>{item}</li>)}
        </ul>
      </details>
      <p class="secondary-links">
        {model.otherWaysHref ? <a href={model.otherWaysHref}>{t('code_page.other_ways')}</a> : null}
        <a href={model.startOverHref}>{model.startOverLabel ?? t('code_page.start_over')}</a>
      </p>
    </section>
  );
}
