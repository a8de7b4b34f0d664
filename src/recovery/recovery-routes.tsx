// Password recovery arrives with its own flow (issue "Password recovery and Change password").
// Until then /recovery tells the shopper plainly what they can do today.
import type { FastifyInstance } from 'fastify';
import { h } from '../http/jsx.ts';
import { Page } from '../http/layout.tsx';
import { sendPage } from '../http/replies.ts';
import type { Catalog } from '../shared/i18n.ts';

const recoveryMessages: Catalog = {
  'recovery.title': { en: 'Forgot your password?', ru: 'Забыли пароль?' },
  'recovery.coming': {
    en: 'Resetting your password with a code sent to your email is coming soon. Until then, please contact the store’s support team and they will help you back into your account.',
    ru: 'Скоро здесь можно будет сбросить пароль с помощью кода из письма. А пока напишите в службу поддержки магазина — вам помогут вернуть доступ к аккаунту.',
  },
  'recovery.back': { en: 'Back to sign in', ru: 'Вернуться ко входу' },
};

export function registerRecoveryRoutes(app: FastifyInstance, deps: { storeName: string }) {
  app.get('/recovery', async (request, reply) => {
    const t = request.ctx.translator(recoveryMessages);
    return sendPage(
      reply,
      <Page ctx={request.ctx} t={t} title={t('recovery.title')} storeName={deps.storeName} path="/recovery">
        <section class="card">
          <h1>{t('recovery.title')}</h1>
          <p>{t('recovery.coming')}</p>
          <p><a class="button button-secondary" href="/login">{t('recovery.back')}</a></p>
        </section>
      </Page>,
    );
  });
}
