// The one "use a passkey" form of a page, as the shared script (static/passkey-assertion.js)
// expects it: request options and words ride in attributes (no inline script under the CSP), and
// the button stays hidden until the script finds WebAuthn, so without JavaScript the page offers
// only what works without it.
import { h, type SafeHtml } from './jsx.ts';
import { CsrfField } from './layout.tsx';
import type { RequestContext } from './request-context.ts';

export interface PasskeyFormProps {
  ctx: RequestContext;
  action: string;
  /** The request options, as JSON. */
  optionsJson: string;
  button: string;
  /** "unsupported|failed|waiting", in the page's language. */
  words: string;
  /** Also offer the passkeys in the page's `autocomplete="username webauthn"` field. */
  autofill?: boolean;
  returnTo?: string;
  className?: string;
  /** More hidden fields the form sends (the sign-in page's "Keep me signed in" copy). */
  extraFields?: SafeHtml;
}

export function PasskeyForm(props: PasskeyFormProps): SafeHtml {
  const { ctx } = props;
  return (
    <form method="post" action={props.action} class={props.className ?? 'passkey-form'} data-passkey-assertion="" data-options={props.optionsJson} data-words={props.words} {...(props.autofill ? { 'data-passkey-autofill': '' } : {})}>
      <CsrfField ctx={ctx} />
      {props.returnTo ? <input type="hidden" name="return_to" value={props.returnTo} /> : null}
      {props.extraFields ?? null}
      <input type="hidden" name="response" value="" data-passkey-response="" />
      <button type="submit" class="button button-secondary" data-passkey-start="" data-way="passkey" hidden>{props.button}</button>
      <p class="passkey-status" data-passkey-status="" role="status"></p>
      <script src="/static/simplewebauthn-browser.js" nonce={ctx.nonce} defer></script>
      <script src="/static/passkey-assertion.js" nonce={ctx.nonce} defer></script>
    </form>
  );
}
