// The frame of every page: brand header, language switch, a centred card, footer. Plain HTML
// that works without JavaScript; /static/enhance.js only adds niceties.
import { h, Fragment, trustedHtml, type Child, type SafeHtml } from './jsx.ts';
import type { RequestContext } from './request-context.ts';
import { locales, type Translate } from '../shared/i18n.ts';
import { CSRF_FIELD } from './csrf-guard.ts';
import { logoPath } from './brand-routes.ts';

export interface PageOptions {
  ctx: RequestContext;
  t: Translate;
  title: string;
  /** The path to come back to after switching language. */
  path: string;
  wide?: boolean;
  /**
   * Our own path to go on to at once (a meta refresh). Used to hand a shopper back to another
   * app: a navigation that is not a form's redirect chain, which the page's form-action 'self'
   * would stop at the app's address.
   */
  refreshTo?: string;
  children?: Child;
}

const languageNames = { en: 'English', ru: 'Русский' } as const;

export function Page(options: PageOptions): SafeHtml {
  const { ctx, t, title } = options;
  const storeName = ctx.storeName;
  const signedIn = ctx.session !== null;
  const logo = logoPath(ctx.brand);
  return (
    <>
      {trustedHtml('<!doctype html>')}
      <html lang={ctx.locale}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {options.refreshTo !== undefined && /^\/(?![/\\])/.test(options.refreshTo) ? <meta http-equiv="refresh" content={`0;url=${options.refreshTo}`} /> : null}
          <title>{`${title} · ${storeName}`}</title>
          <link rel="stylesheet" href="/static/app.css" />
          {ctx.brand.colours ? <link rel="stylesheet" href="/static/brand.css" /> : null}
          <link rel="icon" href="/favicon.ico" type={ctx.brand.logo?.type ?? 'image/svg+xml'} />
          <link rel="manifest" href="/manifest.webmanifest" />
          <script src="/static/enhance.js" nonce={ctx.nonce} defer></script>
        </head>
        {/* data-show-password: the name of the show/hide button enhance.js gives every password field. */}
        <body data-show-password={t('layout.show_password')}>
          <a class="skip-link" href="#main">{t('layout.skip_to_content')}</a>
          <header class="site-header">
            <a class="brand" href={signedIn ? '/account' : '/login'}>
              {logo ? <img class="brand-logo" src={logo} alt="" /> : <span class="brand-mark" aria-hidden="true">{storeName.slice(0, 1)}</span>}
              {/* A logo is the store's name already (a wordmark, usually): the name stays for screen readers. */}
              <span class={logo ? 'brand-name visually-hidden' : 'brand-name'}>{storeName}</span>
            </a>
            <nav class="header-nav" aria-label={t('layout.my_account')}>
              {signedIn ? (
                <>
                  <a href="/account">{t('layout.my_account')}</a>
                  <form method="post" action="/logout" class="inline-form">
                    <CsrfField ctx={ctx} />
                    <button type="submit" class="link-button">{t('layout.sign_out')}</button>
                  </form>
                </>
              ) : (
                <>
                  <a href="/login">{t('layout.sign_in')}</a>
                  <a href="/register">{t('layout.create_account')}</a>
                </>
              )}
            </nav>
          </header>
          <main id="main" class={options.wide ? 'main main-wide' : 'main'}>
            {options.children}
          </main>
          <footer class="site-footer">
            <nav class="language-switch" aria-label={t('layout.language')}>
              {locales.map((locale) =>
                locale === ctx.locale ? (
                  <span aria-current="true" lang={locale}>{languageNames[locale]}</span>
                ) : (
                  <a href={`/language?set=${locale}&return_to=${encodeURIComponent(options.path)}`} lang={locale} hreflang={locale}>
                    {languageNames[locale]}
                  </a>
                ),
              )}
            </nav>
            <StoreLinks ctx={ctx} t={t} />
            <p>{t('layout.footer', { store: storeName })}</p>
          </footer>
        </body>
      </html>
    </>
  );
}

/** The store's own help, terms and privacy pages (SUPPORT_URL, TERMS_URL, PRIVACY_URL), when set. */
function StoreLinks({ ctx, t }: { ctx: RequestContext; t: Translate }): SafeHtml | null {
  const links = [
    [ctx.brand.supportUrl, t('layout.support')],
    [ctx.brand.termsUrl, t('layout.terms')],
    [ctx.brand.privacyUrl, t('layout.privacy')],
  ].filter((link): link is [string, string] => link[0] !== undefined);
  if (links.length === 0) return null;
  return (
    <nav class="store-links" aria-label={t('layout.store_links')}>
      {links.map(([href, label]) => <a href={href}>{label}</a>)}
    </nav>
  );
}

export function CsrfField({ ctx }: { ctx: RequestContext }): SafeHtml {
  return <input type="hidden" name={CSRF_FIELD} value={ctx.csrfToken} />;
}

/** A message at the top of a form; role=alert so screen readers announce it after a post. */
export function Alert({ kind, children }: { kind: 'error' | 'info' | 'success'; children?: Child }): SafeHtml {
  return (
    <div class={`alert alert-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export interface FieldProps {
  name: string;
  label: string;
  type?: string;
  value?: string;
  error?: string;
  hint?: string;
  autocomplete?: string;
  required?: boolean;
  autofocus?: boolean;
  inputmode?: string;
  maxlength?: number;
  extra?: Record<string, string | boolean>;
  children?: Child;
}

/** A labelled input with its hint and error tied to it by aria-describedby. */
export function Field(props: FieldProps): SafeHtml {
  const id = `field-${props.name}`;
  const described = [props.hint ? `${id}-hint` : '', props.error ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return (
    <div class={props.error ? 'field field-invalid' : 'field'}>
      <label for={id}>{props.label}</label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        autocomplete={props.autocomplete}
        required={props.required}
        autofocus={props.autofocus}
        inputmode={props.inputmode}
        maxlength={props.maxlength}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={described}
        {...(props.extra ?? {})}
      />
      {props.children}
      {props.hint ? <p class="field-hint" id={`${id}-hint`}>{props.hint}</p> : null}
      {props.error ? <p class="field-error" id={`${id}-error`}>{props.error}</p> : null}
    </div>
  );
}

/** The meter under a new-password field; enhance.js fills it as the shopper types. */
export function StrengthMeter({ t, forField }: { t: Translate; forField: string }): SafeHtml {
  return (
    <div class="strength" data-strength-for={`field-${forField}`} data-words={t('password.strength_words')} hidden>
      <div class="strength-bar" aria-hidden="true"><span></span></div>
      <p class="strength-text" aria-live="polite"><span class="visually-hidden">{t('password.strength_label')}: </span><span class="strength-word"></span></p>
    </div>
  );
}
