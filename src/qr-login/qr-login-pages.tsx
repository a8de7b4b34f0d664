// The QR panel of the sign-in page, the phone's confirmation page, and the reference app at /app.
import { h, Fragment, trustedHtml, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field, Page } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';
import { formatTime } from '../account/account-pages.tsx';
import { placeAttribution } from '../places/approximate-place.ts';
import type { QrRequestDetails } from './qr-login-service.ts';

export interface QrPanelModel {
  /** Which of this browser's QRs the page shows (its secret is in the cookie, keyed by this). */
  requestId: string;
  /** SVG markup made by the qrcode library from our own URL: no request data in it. */
  svg: string;
  url: string;
  expiresAt: number;
}

/** returnTo: where the browser goes once signed in (an app's sign-in, /login?return_to=), else My account. */
export function QrPanel({ ctx, t, panel, returnTo }: { ctx: RequestContext; t: Translate; panel: QrPanelModel | null; returnTo?: string }): SafeHtml {
  return (
    <section class="card qr-panel" aria-labelledby="qr-title" data-qr-panel="">
      <h2 id="qr-title">{t('qr.panel_title')}</h2>
      {panel ? (
        <>
          <p class="field-hint qr-steps">{t('qr.panel_steps', { store: ctx.storeName })}</p>
          <p class="field-hint qr-phone-steps">{t('qr.phone_steps', { store: ctx.storeName })}</p>
          <div class="qr-code" role="img" aria-label={t('qr.qr_alt')} data-qr-image="">{trustedHtml(panel.svg)}</div>
          <p
            class="qr-status"
            role="status"
            aria-live="polite"
            data-qr-status=""
            data-qr-request={panel.requestId}
            data-expires-at={String(panel.expiresAt)}
            data-words={[t('qr.status_pending'), t('qr.status_scanned'), t('qr.status_approved'), t('qr.status_denied'), t('qr.status_expired')].join('|')}
          >
            {t('qr.status_pending')}
          </p>
          <p class="qr-link">
            <a href={panel.url} data-qr-link=""><span class="qr-link-wide">{t('qr.same_device')}</span><span class="qr-link-narrow">{t('qr.open_app')}</span></a>
          </p>
          <form method="post" action="/qr/complete" class="qr-complete" data-qr-complete="">
            <CsrfField ctx={ctx} />
            <input type="hidden" name="request" value={panel.requestId} data-qr-request-field="" />
            {returnTo ? <input type="hidden" name="return_to" value={returnTo} /> : null}
            <button type="submit" class="button button-secondary" data-qr-continue="">{t('qr.continue_no_script')}</button>
          </form>
          <form method="post" action="/qr/requests" class="qr-renew" data-qr-renew="" hidden>
            <CsrfField ctx={ctx} />
            <button type="submit" class="button button-secondary">{t('qr.new_code')}</button>
          </form>
          <script src="/static/qr-login.js" nonce={ctx.nonce} defer></script>
        </>
      ) : (
        <p class="field-hint">{t('qr.unavailable')}</p>
      )}
    </section>
  );
}

interface Base {
  ctx: RequestContext;
  t: Translate;
}

/** The link was opened: nothing is locked yet. Scanning it is a deliberate tap. */
export function QrReviewPage(props: Base & { token: string }): SafeHtml {
  const { ctx, t } = props;
  return (
    <Page ctx={ctx} t={t} title={t('qr.review_title')} path="/app">
      <section class="card" aria-labelledby="qr-review-title">
        <h1 id="qr-review-title">{t('qr.review_title')}</h1>
        <p class="lead">{t('qr.review_intro', { store: ctx.storeName })}</p>
        <div class="button-row">
          <form method="post" action={`/qr/${props.token}/scan`}>
            <CsrfField ctx={ctx} />
            <button type="submit" class="button button-primary">{t('qr.review_continue')}</button>
          </form>
          <a class="button button-secondary" href="/app">{t('qr.cancel')}</a>
        </div>
      </section>
    </Page>
  );
}

/**
 * Who is asking, before the phone confirms. When the browser is in another country or network than
 * the phone (a relayed QR looks exactly so) the page says so plainly, and Confirm leads to a second,
 * explicit "Yes, this is me on that computer" (`askAgain`) instead of signing anyone in.
 */
export function QrConfirmPage(props: Base & { token: string; details: QrRequestDetails; askAgain?: boolean }): SafeHtml {
  const { ctx, t, details } = props;
  const there = details.approximatePlace?.country[ctx.locale];
  const here = details.phonePlace?.country[ctx.locale];
  const warning = there && here && there !== here ? t('qr.elsewhere_countries', { there, here }) : t('qr.elsewhere_network');
  return (
    <Page ctx={ctx} t={t} title={t('qr.confirm_title')} path="/app">
      <section class="card" aria-labelledby="qr-confirm-title">
        <h1 id="qr-confirm-title">{t('qr.confirm_title')}</h1>
        <p class="lead">{t('qr.confirm_intro')}</p>
        {details.elsewhere ? (
          <div class="alert alert-error" role="alert" data-qr-elsewhere="">
            <p><strong>{warning}</strong></p>
            <p>{t('qr.elsewhere_advice')}</p>
            {props.askAgain ? <p data-qr-ask-again=""><strong>{t('qr.elsewhere_ask')}</strong></p> : null}
          </div>
        ) : null}
        <dl class="facts">
          <dt>{t('qr.device')}</dt>
          <dd>{`${details.browser}, ${details.system}`}</dd>
          <dt>{t('qr.place')}</dt>
          <dd>{there ?? t('qr.place_unknown', { address: details.clientAddress })}</dd>
          <dt>{t('qr.time')}</dt>
          <dd>{formatTime(details.requestedAt, ctx.locale)}</dd>
        </dl>
        <div class="button-row">
          <form method="post" action={`/qr/${props.token}/confirm`}>
            <CsrfField ctx={ctx} />
            {props.askAgain ? <input type="hidden" name="elsewhere" value="yes" /> : null}
            <button type="submit" class={props.askAgain ? 'button button-secondary' : 'button button-primary'}>{props.askAgain ? t('qr.elsewhere_yes') : t('qr.confirm')}</button>
          </form>
          <form method="post" action={`/qr/${props.token}/cancel`}>
            <CsrfField ctx={ctx} />
            <button type="submit" class={props.askAgain ? 'button button-primary' : 'button button-secondary'}>{t('qr.cancel')}</button>
          </form>
        </div>
        {details.approximatePlace || details.phonePlace ? (
          <p class="place-credit"><a href={placeAttribution.url} rel="noopener noreferrer">{placeAttribution.text}</a></p>
        ) : null}
      </section>
    </Page>
  );
}

export function QrResultPage(props: Base & { outcome: 'confirmed' | 'cancelled' | 'problem'; message?: string }): SafeHtml {
  const { ctx, t } = props;
  const title = props.outcome === 'confirmed' ? t('qr.confirmed_title') : props.outcome === 'cancelled' ? t('qr.cancelled_title') : t('request.error_title');
  return (
    <Page ctx={ctx} t={t} title={title} path="/app">
      <section class={props.outcome === 'confirmed' ? 'card card-success' : 'card'} aria-labelledby="qr-result-title">
        {props.outcome === 'confirmed' ? <div class="success-mark" aria-hidden="true">✓</div> : null}
        <h1 id="qr-result-title">{title}</h1>
        {props.outcome === 'problem' ? <Alert kind="error">{props.message}</Alert> : <p>{t(props.outcome === 'confirmed' ? 'qr.confirmed_text' : 'qr.cancelled_text')}</p>}
        <p><a class="button button-secondary" href="/app">{t('app.title')}</a></p>
      </section>
    </Page>
  );
}

export function AppPage(props: Base & { email: string | null; linkError?: string }): SafeHtml {
  const { ctx, t } = props;
  return (
    <Page ctx={ctx} t={t} title={t('app.title')} path="/app">
      <section class="card app-scanner" aria-labelledby="app-title">
        <h1 id="app-title">{t('app.title')}</h1>
        {props.email === null ? (
          <>
            <p class="lead">{t('app.sign_in_first')}</p>
            <a class="button button-primary" href="/login?return_to=%2Fapp">{t('layout.sign_in')}</a>
          </>
        ) : (
          <>
            <p class="field-hint">{t('app.signed_in_as', { email: props.email })}</p>
            <p class="lead">{t('app.intro')}</p>
            <div class="camera" data-scanner="" hidden>
              <video playsinline muted data-scanner-video=""></video>
            </div>
            <button type="button" class="button button-primary" data-scanner-start="" hidden>{t('app.start_camera')}</button>
            <p class="field-hint">{t('app.no_camera')}</p>
            <form method="get" action="/app/open" class="form">
              <Field name="link" type="url" label={t('app.link_label')} error={props.linkError} autocomplete="off" maxlength={300} />
              <button type="submit" class="button button-secondary">{t('app.open_link')}</button>
            </form>
            <script src="/static/jsQR.js" nonce={ctx.nonce} defer></script>
            <script src="/static/app-scanner.js" nonce={ctx.nonce} defer></script>
          </>
        )}
      </section>
    </Page>
  );
}
