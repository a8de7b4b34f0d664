// My account → Security → Passkeys: the section on the Security page, and the add, rename and
// remove pages. Adding needs JavaScript (navigator.credentials); without it the page says so.
import { TwoStepChoice } from './security-settings-pages.tsx';
import { AccountFrame, formatTime } from '../account/account-pages.tsx';
import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, CsrfField, Field } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { PasskeyRow } from '../passkeys/passkey-store.ts';
import { MAX_PASSKEY_NAME_LENGTH } from '../passkeys/passkey-names.ts';
import { MAX_PASSKEYS_PER_ACCOUNT } from '../passkeys/passkey-store.ts';
import type { Translate } from '../shared/i18n.ts';

interface Base {
  ctx: RequestContext;
  t: Translate;
}

export function PasskeysSection(props: Base & { passkeys: PasskeyRow[] }): SafeHtml {
  const { ctx, t, passkeys } = props;
  return (
    <section class="passkeys" id="passkeys" aria-labelledby="passkeys-title">
      <h2 id="passkeys-title">{t('passkeys.title')}</h2>
      <p class="field-hint">{t('passkeys.explain')}</p>
      {passkeys.length === 0 ? (
        <p class="passkeys-none">{t('passkeys.none')}</p>
      ) : (
        <ul class="factor-list" aria-labelledby="passkeys-title">
          {passkeys.map((p) => (
            <li class="factor-item is-set" data-factor="passkey" data-passkey-id={p.id}>
              <div class="factor-about">
                <p class="factor-name" data-passkey-name="">
                  {p.name} <span class={p.backedUp ? 'badge badge-ok' : 'badge'} data-passkey-sync={p.backedUp ? 'synced' : 'device'}>{t(p.backedUp ? 'passkeys.synced' : 'passkeys.device_only')}</span>
                </p>
                <p class="factor-state passkey-dates">
                  <span>{t('passkeys.added', { when: formatTime(p.createdAt, ctx.locale) })}</span> · <span data-passkey-used="">{p.lastUsedAt === null ? t('passkeys.never_used') : t('passkeys.last_used', { when: formatTime(p.lastUsedAt, ctx.locale) })}</span>
                </p>
              </div>
              <div class="factor-actions">
                <a class="button button-small" href={`/account/security/passkeys/rename?id=${encodeURIComponent(p.id)}`}>{t('passkeys.rename')}</a>
                <a class="button button-small" href={`/account/security/passkeys/remove?id=${encodeURIComponent(p.id)}`}>{t('passkeys.remove')}</a>
              </div>
            </li>
          ))}
        </ul>
      )}
      {passkeys.length >= MAX_PASSKEYS_PER_ACCOUNT ? <p class="field-hint">{t('passkeys.limit_hint')}</p> : <a class="button button-secondary" href="/account/security/passkeys/add">{t('passkeys.add')}</a>}
    </section>
  );
}

/** The creation options ride in a data attribute (JSON, escaped by the renderer); passkey-add.js hands them to the browser. */
export function AddPasskeyPage(props: Base & { optionsJson: string; error?: string; offerTwoStep?: boolean }): SafeHtml {
  const { ctx, t } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('passkey_add.title')}>
      <h1 id="section-title">{t('passkey_add.title')}</h1>
      <p class="lead">{t('passkey_add.lead')}</p>
      {props.error ? <Alert kind="error">{props.error}</Alert> : null}
      <noscript>
        <Alert kind="info">{t('passkey_add.needs_js')}</Alert>
      </noscript>
      <form method="post" action="/account/security/passkeys/add" class="form narrow-form" data-passkey-add="" data-options={props.optionsJson}
        data-words={[t('passkey_add.unsupported'), t('passkey_add.cancelled'), t('passkey_add.working')].join('|')}>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="response" value="" data-passkey-response="" />
        {props.offerTwoStep ? <TwoStepChoice t={t} checked hint={t('passkey_add.two_step_hint')} /> : null}
        <p class="field-hint" data-passkey-status="" role="status" aria-live="polite"></p>
        <div class="button-row">
          <button type="submit" class="button button-primary" data-passkey-start="" hidden>{t('passkey_add.submit')}</button>
          <a class="button button-secondary" href="/account/security">{t('reverify.cancel')}</a>
        </div>
      </form>
      <script src="/static/simplewebauthn-browser.js" nonce={ctx.nonce} defer></script>
      <script src="/static/passkey-add.js" nonce={ctx.nonce} defer></script>
    </AccountFrame>
  );
}

export function RenamePasskeyPage(props: Base & { passkey: PasskeyRow; name?: string; error?: string }): SafeHtml {
  const { ctx, t, passkey } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('passkey_rename.title')}>
      <h1 id="section-title">{t('passkey_rename.title')}</h1>
      <form method="post" action="/account/security/passkeys/rename" class="form narrow-form" novalidate>
        <CsrfField ctx={ctx} />
        <input type="hidden" name="id" value={passkey.id} />
        <Field name="name" label={t('passkey_rename.name')} hint={t('passkey_rename.hint')} value={props.name ?? passkey.name} required autofocus maxlength={MAX_PASSKEY_NAME_LENGTH} autocomplete="off" error={props.error} />
        <div class="button-row">
          <button type="submit" class="button button-primary">{t('passkey_rename.submit')}</button>
          <a class="button button-secondary" href="/account/security">{t('reverify.cancel')}</a>
        </div>
      </form>
    </AccountFrame>
  );
}

export function RemovePasskeyPage(props: Base & { passkey: PasskeyRow; turnsOffTwoStep: boolean }): SafeHtml {
  const { ctx, t, passkey } = props;
  return (
    <AccountFrame ctx={ctx} t={t} section="security" title={t('passkey_remove.title')}>
      <h1 id="section-title">{t('passkey_remove.title')}</h1>
      <p class="lead">{t('passkey_remove.lead', { name: passkey.name })}</p>
      {props.turnsOffTwoStep ? <Alert kind="info">{t('passkey_remove.last_factor')}</Alert> : null}
      <form method="post" action="/account/security/passkeys/remove" class="form narrow-form">
        <CsrfField ctx={ctx} />
        <input type="hidden" name="id" value={passkey.id} />
        <div class="button-row">
          <button type="submit" class="button button-primary">{t('passkey_remove.submit')}</button>
          <a class="button button-secondary" href="/account/security">{t('reverify.cancel')}</a>
        </div>
      </form>
    </AccountFrame>
  );
}
