// My account → Security → Passkeys: add, rename, remove. Each needs a fresh "Confirm it's you"
// first (shopper.ts); a refused change sends there and back, or redraws the page with the words.
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { h } from '../http/jsx.ts';
import { formBody, shortText } from '../http/form-schema.ts';
import { redirect, sendPage, textField } from '../http/replies.ts';
import { MAX_RESPONSE_CHARS } from '../passkeys/passkey-input.ts';
import { hasSecondFactor, type FactorStore } from '../factors/factor-store.ts';
import { answerFailure, type Shown } from '../verification/answer-failure.ts';
import type { PasskeySettingsService } from './passkey-settings-service.ts';
import { AddPasskeyPage, RemovePasskeyPage, RenamePasskeyPage } from './passkey-pages.tsx';
import { BackupCodesPage } from './security-settings-pages.tsx';
import type { Clock } from '../shared/clock.ts';
import type { Shopper } from './security-settings-service.ts';
import { answersBackTo, forShopper, refused, translate } from './shopper.ts';

const ADD = '/account/security/passkeys/add';
const RENAME = '/account/security/passkeys/rename';
const REMOVE = '/account/security/passkeys/remove';

export function registerPasskeyRoutes(app: FastifyInstance, deps: { settings: PasskeySettingsService; factors: FactorStore; clock: Clock }) {
  const { settings } = deps;

  async function drawAdd(request: FastifyRequest, reply: FastifyReply, shopper: Shopper, shown: Shown = {}) {
    const started = await settings.startAdding(shopper, request.ctx.session!.email);
    if (!started.ok) {
      if (started.code === 'reverify.required') return refused(request, reply, started, ADD);
      return sendPage(reply, <AddPasskeyPage ctx={request.ctx} t={translate(request)} optionsJson="" error={translate(request)(started.code)} />, 409);
    }
    reply.header('cache-control', 'no-store');
    const { twoStep } = await deps.factors.summary(shopper.accountId);
    const page = <AddPasskeyPage ctx={request.ctx} t={translate(request)} optionsJson={JSON.stringify(started.options)} error={shown.error} offerTwoStep={!twoStep} />;
    return sendPage(reply, page, shown.status ?? 200);
  }

  app.get(ADD, forShopper((request, reply, shopper) => drawAdd(request, reply, shopper)));

  app.post(
    ADD,
    { schema: { body: formBody({ response: shortText(MAX_RESPONSE_CHARS), two_step: shortText(2) }, ['two_step']) } },
    forShopper(async (request, reply, shopper) => {
      const turnOnTwoStep = textField(request.body, 'two_step') === '1';
      const result = await settings.finishAdding(shopper, textField(request.body, 'response') ?? '', request.headers['user-agent'] ?? '', { turnOnTwoStep });
      if (result.ok && result.backupCodes) {
        const page = <BackupCodesPage ctx={request.ctx} t={translate(request)} codes={result.backupCodes} account={request.ctx.session!.email} createdAt={deps.clock.now()} replaced={false} notice={translate(request)('passkeys.saved_added_on')} />;
        return sendPage(reply.header('cache-control', 'no-store'), page);
      }
      if (result.ok) return redirect(reply, `/account/security?saved=${result.twoStepTurnedOn ? 'passkey_added_on' : 'passkey_added'}`);
      return answerFailure(request, reply, result, answersBackTo(ADD), (shown) => drawAdd(request, reply, shopper, shown));
    }),
  );

  app.get(
    RENAME,
    forShopper(async (request, reply, shopper) => {
      const found = await settings.find(shopper, textField(request.query, 'id') ?? '');
      if (!found.ok) return refused(request, reply, found, `${RENAME}?id=${encodeURIComponent(textField(request.query, 'id') ?? '')}`);
      return sendPage(reply, <RenamePasskeyPage ctx={request.ctx} t={translate(request)} passkey={found.passkey} />);
    }),
  );

  app.post(
    RENAME,
    { schema: { body: formBody({ id: shortText(64), name: shortText(256) }) } },
    forShopper(async (request, reply, shopper) => {
      const id = textField(request.body, 'id') ?? '';
      const typed = textField(request.body, 'name') ?? '';
      const result = await settings.rename(shopper, id, typed);
      if (result.ok) return redirect(reply, '/account/security?saved=passkey_renamed');
      const back = `${RENAME}?id=${encodeURIComponent(id)}`;
      if (result.code !== 'passkey.name_invalid') return refused(request, reply, result, back);
      const found = await settings.find(shopper, id);
      if (!found.ok) return refused(request, reply, found, back);
      return answerFailure(request, reply, result, answersBackTo(back), (shown) =>
        sendPage(reply, <RenamePasskeyPage ctx={request.ctx} t={translate(request)} passkey={found.passkey} name={typed.slice(0, 64)} error={shown.error} />, shown.status),
      );
    }),
  );

  app.get(
    REMOVE,
    forShopper(async (request, reply, shopper) => {
      const found = await settings.find(shopper, textField(request.query, 'id') ?? '');
      if (!found.ok) return refused(request, reply, found, `${REMOVE}?id=${encodeURIComponent(textField(request.query, 'id') ?? '')}`);
      // Said before, not after: removing the last factor turns two-step sign-in off.
      const summary = await deps.factors.summary(shopper.accountId);
      const turnsOff = summary.twoStep && !hasSecondFactor({ ...summary, passkeys: summary.passkeys - 1 });
      return sendPage(reply, <RemovePasskeyPage ctx={request.ctx} t={translate(request)} passkey={found.passkey} turnsOffTwoStep={turnsOff} />);
    }),
  );

  app.post(
    REMOVE,
    { schema: { body: formBody({ id: shortText(64) }) } },
    forShopper(async (request, reply, shopper) => {
      const id = textField(request.body, 'id') ?? '';
      const result = await settings.remove(shopper, id);
      return result.ok ? redirect(reply, '/account/security?saved=passkey_removed') : refused(request, reply, result, `${REMOVE}?id=${encodeURIComponent(id)}`);
    }),
  );
}
