// "Keep me signed in on this device" (issue 13 §3). One box beside the password, on the sign-in
// and sign-up pages. The sign-in page's passkey button is a form of its own, so it carries a
// hidden copy of the choice, drawn disabled (not sent) and enabled by static/enhance.js only while
// the box is ticked: if the script never runs, the passkey (which needs scripts anyway) makes a
// short session, never a long one the shopper did not see ticked. The QR has no copy: a session
// made by a QR scan is never kept (sessions/session-service.ts).
import { h, trustedHtml, type SafeHtml } from './jsx.ts';
import type { RequestContext } from './request-context.ts';
import { textField } from './replies.ts';
import { Type } from '@sinclair/typebox';
import type { Translate } from '../shared/i18n.ts';

export const KEEP_SIGNED_IN_FIELD = 'keep_signed_in';
const NOTHING = trustedHtml('');

/** The field's schema (a ticked box sends "1"; an unticked one sends nothing): add it as optional to formBody. */
export const keepSignedInSchema = { [KEEP_SIGNED_IN_FIELD]: Type.Literal('1') };

/** Whether the form asked for a kept session; the session service still says no when the store turned the offer off. */
export const keepSignedInChosen = (body: unknown): boolean => textField(body, KEEP_SIGNED_IN_FIELD) === '1';

export function KeepSignedInBox(props: { ctx: RequestContext; t: Translate; checked?: boolean }): SafeHtml {
  const offer = props.ctx.keepSignedIn;
  if (offer === 'off') return NOTHING;
  const checked = props.checked ?? offer === 'ticked';
  return (
    <div class="checkbox-field checkbox-quiet">
      <input type="checkbox" id="field-keep_signed_in" name={KEEP_SIGNED_IN_FIELD} value="1" checked={checked} aria-describedby="field-keep_signed_in-hint" data-keep-signed-in="" />
      <label for="field-keep_signed_in">{props.t('keep_signed_in.label')}</label>
      <p class="field-hint" id="field-keep_signed_in-hint">{props.t('keep_signed_in.hint')}</p>
    </div>
  );
}

/** The hidden copy inside another sign-in form of the same page: sent only once the script has seen the box ticked. */
export function KeepSignedInCopy(props: { ctx: RequestContext }): SafeHtml {
  if (props.ctx.keepSignedIn === 'off') return NOTHING;
  return <input type="hidden" name={KEEP_SIGNED_IN_FIELD} value="1" disabled data-keep-signed-in-copy="" />;
}
