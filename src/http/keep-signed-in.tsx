// "Keep me signed in on this device" (issue 13 §3). One box on the sign-in page, beside the
// password; the page's other ways of signing in (a passkey, the app's QR) are forms of their own,
// so each carries a hidden copy of the choice that static/enhance.js keeps in step with the box.
// Without scripts the copies stay at the store's default: a shopper without JavaScript cannot
// use a passkey at all, and the QR's "Continue" then follows the default the page showed.
import { h, trustedHtml, type SafeHtml } from './jsx.ts';
import type { RequestContext } from './request-context.ts';
import { textField } from './replies.ts';
import { Type } from '@sinclair/typebox';

export const KEEP_SIGNED_IN_FIELD = 'keep_signed_in';
const NOTHING = trustedHtml('');

/** The field's schema (a ticked box sends "1"; an unticked one sends nothing): add it as optional to formBody. */
export const keepSignedInSchema = { [KEEP_SIGNED_IN_FIELD]: Type.Literal('1') };

/** Whether the form asked for a kept session; the session service still says no when the store turned the offer off. */
export const keepSignedInChosen = (body: unknown): boolean => textField(body, KEEP_SIGNED_IN_FIELD) === '1';

export function KeepSignedInBox(props: { ctx: RequestContext; label: string; hint: string; checked?: boolean }): SafeHtml {
  const offer = props.ctx.keepSignedIn;
  if (offer === 'off') return NOTHING;
  const checked = props.checked ?? offer === 'ticked';
  return (
    <div class="checkbox-field checkbox-quiet">
      <input type="checkbox" id="field-keep_signed_in" name={KEEP_SIGNED_IN_FIELD} value="1" checked={checked} aria-describedby="field-keep_signed_in-hint" data-keep-signed-in="" />
      <label for="field-keep_signed_in">{props.label}</label>
      <p class="field-hint" id="field-keep_signed_in-hint">{props.hint}</p>
    </div>
  );
}

/** The hidden copy inside another sign-in form of the same page; disabled (not sent) while the box is unticked. */
export function KeepSignedInCopy(props: { ctx: RequestContext; checked?: boolean }): SafeHtml {
  const offer = props.ctx.keepSignedIn;
  if (offer === 'off') return NOTHING;
  const checked = props.checked ?? offer === 'ticked';
  return <input type="hidden" name={KEEP_SIGNED_IN_FIELD} value="1" disabled={!checked} data-keep-signed-in-copy="" />;
}
