// The "Use a passkey" step page of every flow that offers the way (passkey-way.tsx). The form is
// the one static/passkey-assertion.js drives (its header has the contract); without JavaScript the
// button stays hidden and the page says a passkey needs it, with the other ways one link away.
import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Page } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { MessageId, Translate } from '../shared/i18n.ts';

export interface PasskeyStepLinks {
  /** The flow's list of other ways. */
  otherWaysHref: string;
  /** Back out of the steps (to sign in, start over, My account). */
  backHref: string;
  backLabel: string;
  /** The lead under the title, when the flow words it otherwise (e.g. a second proof). */
  lead?: MessageId;
}

export function PasskeyStepPage(props: PasskeyStepLinks & { ctx: RequestContext; t: Translate; action: string; flowId: string; optionsJson: string; error?: string; notice?: string }): SafeHtml {
  const { ctx, t } = props;
  const words = [t('passkey_step.unsupported'), t('passkey_step.failed'), t('passkey_step.waiting')].join('|');
  return (
    <Page ctx={ctx} t={t} title={t('passkey_step.title')} path={`${props.action}?flow=${props.flowId}`}>
      <section class="card" aria-labelledby="passkey-step-title">
        <h1 id="passkey-step-title">{t('passkey_step.title')}</h1>
        <p class="lead">{t(props.lead ?? 'passkey_step.lead')}</p>
        {props.notice && !props.error ? <Alert kind="success">{props.notice}</Alert> : null}
        {props.error ? <Alert kind="error">{props.error}</Alert> : null}
        <noscript>
          <Alert kind="info">{t('passkey_step.needs_js')}</Alert>
        </noscript>
        <form method="post" action={props.action} class="form" data-passkey-assertion="" data-options={props.optionsJson} data-words={words}>
          <CsrfField ctx={ctx} />
          <input type="hidden" name="flow" value={props.flowId} />
          <input type="hidden" name="response" value="" data-passkey-response="" />
          <button type="submit" class="button button-primary" data-passkey-start="" hidden>{t('passkey_step.use')}</button>
          <p class="field-hint" data-passkey-status="" role="status" aria-live="polite"></p>
        </form>
        <p class="secondary-links">
          <a href={props.otherWaysHref}>{t('ways.title')}</a>
          <a href={props.backHref}>{props.backLabel}</a>
        </p>
      </section>
      <script src="/static/simplewebauthn-browser.js" nonce={ctx.nonce} defer></script>
      <script src="/static/passkey-assertion.js" nonce={ctx.nonce} defer></script>
    </Page>
  );
}
