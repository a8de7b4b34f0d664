// /api/v1/admin/accounts…: find and show an account, and support's four actions on it. Thin: the
// actions are admin/account-actions.ts, the same functions `gatehouse user …` runs, each writing
// its security event with `admin:<token name>` as actor in the transaction of the change.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Static } from '@sinclair/typebox';
import { checkEmail, checkLoginName } from '../identity/identifiers.ts';
import type { Account } from '../identity/account-store.ts';
import { endAccountSessions, resetAccountFactors, setAccountLocked, type AccountActionDeps } from './account-actions.ts';
import { accountSummary, describeAccount } from './account-view.ts';
import { actorOf, adminProblem } from './admin-auth.ts';
import { accountDetail, actionDone, findQuery, foundAccounts, idParams, refusals, adminToken, UUID_PATTERN } from './admin-schemas.ts';

const UUID = new RegExp(UUID_PATTERN);

/** The account an email, login name or id names: undefined when none; 'invalid' when the query is not exactly one well-formed key. */
async function findAccount(deps: AccountActionDeps, query: Static<typeof findQuery>): Promise<Account | undefined | 'invalid'> {
  const given = (['email', 'login_name', 'id'] as const).filter((key) => query[key] !== undefined);
  if (given.length !== 1) return 'invalid';
  if (query.id !== undefined) return UUID.test(query.id) ? deps.accounts.findById(query.id.toLowerCase()) : 'invalid';
  if (query.email !== undefined) {
    const email = checkEmail(query.email);
    return email.ok ? deps.accounts.findByEmail(email.email) : 'invalid';
  }
  const login = checkLoginName(query.login_name!);
  return login.ok ? deps.accounts.findByLoginName(login.loginName) : 'invalid';
}

type Action = (deps: AccountActionDeps, accountId: string, actor: string) => Promise<{ sessionsEnded: number }>;

const actions: Record<string, Action> = {
  lock: (deps, id, actor) => setAccountLocked(deps, id, true, actor),
  unlock: (deps, id, actor) => setAccountLocked(deps, id, false, actor),
  'end-sessions': endAccountSessions,
  'reset-factors': resetAccountFactors,
};

const summaries: Record<string, string> = {
  lock: 'Lock the account and end all its sessions',
  unlock: 'Unlock the account',
  'end-sessions': 'End every session of the account',
  'reset-factors': 'Remove the phone, authenticator app and backup codes, turn two-step sign-in off and end all sessions',
};

export function registerAdminAccountRoutes(app: FastifyInstance, deps: AccountActionDeps) {
  const existing = async (request: FastifyRequest) => deps.accounts.findById((request.params as { id: string }).id.toLowerCase());

  app.get(
    '/api/v1/admin/accounts',
    { schema: { summary: 'Find an account by email, login name or id', tags: ['admin'], querystring: findQuery, security: adminToken, response: { 200: foundAccounts, ...refusals('admin.lookup_invalid') } } },
    async (request, reply) => {
      const found = await findAccount(deps, request.query as Static<typeof findQuery>);
      if (found === 'invalid') return adminProblem(request, reply, 'admin.lookup_invalid');
      return { accounts: found ? [accountSummary(found)] : [] };
    },
  );

  app.get(
    '/api/v1/admin/accounts/:id',
    { schema: { summary: 'Show one account: factors present, live sessions, recent security activity', tags: ['admin'], params: idParams, security: adminToken, response: { 200: accountDetail, ...refusals('admin.account_not_found') } } },
    async (request, reply) => {
      const account = await existing(request);
      if (!account) return adminProblem(request, reply, 'admin.account_not_found');
      return describeAccount(deps, account, deps.clock.now());
    },
  );

  for (const [name, action] of Object.entries(actions)) {
    app.post(
      `/api/v1/admin/accounts/:id/${name}`,
      { schema: { summary: summaries[name], tags: ['admin'], params: idParams, security: adminToken, response: { 200: actionDone, ...refusals('admin.account_not_found') } } },
      async (request, reply) => {
        const account = await existing(request);
        if (!account) return adminProblem(request, reply, 'admin.account_not_found');
        const done = await action(deps, account.id, actorOf(request));
        request.log.info({ admin: request.admin!.name, action: name, account: account.id }, 'admin action');
        const after = await deps.accounts.findById(account.id);
        return { accountId: account.id, locked: after?.locked_at != null, sessionsEnded: done.sessionsEnded };
      },
    );
  }
}
