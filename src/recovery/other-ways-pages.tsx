// The "Other ways to verify" screens of recovery and Change password: the list of ways, the
// text-message code page, and the authenticator / backup code pages.
import { FactorCodeCard, WaysList, type FactorCodeModel } from '../factors/factor-pages.tsx';
import type { FactorSummary } from '../factors/factor-store.ts';
import { h, type SafeHtml } from '../http/jsx.ts';
import { Alert, Page } from '../http/layout.tsx';
import type { RequestContext } from '../http/request-context.ts';
import type { Translate } from '../shared/i18n.ts';
import type { Proofs } from './password-reset-flow.ts';
import type { ResetVariant } from './reset-variants.ts';

interface Base {
  ctx: RequestContext;
  t: Translate;
  variant: ResetVariant;
  flowId: string;
}

export function OtherWaysPage(props: Base & { proved: Proofs; summary: FactorSummary | null; textsAvailable: boolean; secondsUntilText: number; secondsUntilEmail: number; error?: string }): SafeHtml {
  const { ctx, t, flowId, proved, summary } = props;
  const paths = props.variant.paths;
  const q = `?flow=${flowId}`;
  // Recovery lists every way (nothing about the account is known here); Change password lists the
  // shopper's own, with the number masked. A proof already given hides the ways of its kind.
  const has = (way: 'sms' | 'totp' | 'backup' | 'passkey') =>
    way === 'sms'
      ? props.textsAvailable && (summary === null || !!summary.phone)
      : summary === null || (way === 'totp' ? summary.totp : way === 'passkey' ? summary.passkeys > 0 : summary.backupCodesLeft > 0);
  const needChannel = !proved.channel;
  const needFactor = !proved.factor;
  const intro = proved.channel ? 'ways.intro_factor' : proved.factor ? 'ways.intro_channel' : 'ways.intro';
  return (
    <Page ctx={ctx} t={t} title={t('ways.title')} path={`${paths.otherWays}${q}`}>
      <section class="card" aria-labelledby="other-ways-title">
        <h1 id="other-ways-title">{t('ways.title')}</h1>
        <p class="lead">{t(intro)}</p>
        {props.error ? <Alert kind="error">{props.error}</Alert> : null}
        <WaysList
          ctx={ctx}
          t={t}
          flowId={flowId}
          passkeyHref={needFactor && has('passkey') ? `${paths.passkey}${q}` : undefined}
          smsSendAction={needChannel && has('sms') ? paths.smsSend : undefined}
          authenticatorHref={needFactor && has('totp') ? `${paths.authenticator}${q}` : undefined}
          backupCodeHref={needFactor && has('backup') ? `${paths.backupCode}${q}` : undefined}
          emailResendAction={needChannel ? paths.resend : undefined}
          phone={summary?.phone}
          backupCodesLeft={summary ? summary.backupCodesLeft : undefined}
          secondsUntilText={props.secondsUntilText}
          secondsUntilEmail={props.secondsUntilEmail}
        />
        <p class="field-hint">{t('other_ways.support')}</p>
        <p class="secondary-links">
          <a href={`${proved.channel ? paths.authenticator : paths.code}${q}`}>{proved.channel ? t('ways.back') : t('other_ways.back')}</a>
          <a href={paths.start}>{t(props.variant.words.startOver)}</a>
        </p>
      </section>
    </Page>
  );
}

export function FactorPage(props: Omit<FactorCodeModel, 'links' | 'action'> & { variant: ResetVariant }): SafeHtml {
  const { t } = props;
  const paths = props.variant.paths;
  const q = `?flow=${props.flowId}`;
  const totp = props.way === 'totp';
  const links = [
    totp ? { href: `${paths.backupCode}${q}`, label: t('ways.backup_use') } : { href: `${paths.authenticator}${q}`, label: t('ways.totp_use') },
    { href: `${paths.otherWays}${q}`, label: t('ways.title') },
  ];
  const action = totp ? paths.authenticator : paths.backupCode;
  return (
    <Page ctx={props.ctx} t={t} title={t(totp ? 'totp_page.title' : 'backup_page.title')} path={`${action}${q}`}>
      <FactorCodeCard {...props} action={action} links={links} />
    </Page>
  );
}
