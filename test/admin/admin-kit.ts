// Helpers for the admin API tests: an admin token made through the store, and requests sent
// in-process (Fastify's inject) with or without it.
import { createAdminTokens } from '../../src/admin/admin-tokens.ts';
import type { TestGatehouse } from '../harness/test-app.ts';

export async function adminToken(app: TestGatehouse, name = 'support'): Promise<string> {
  const { db, clock } = app.gatehouse.services;
  const created = await createAdminTokens(db, clock).create(name);
  if (!created) throw new Error(`admin token ${name} exists`);
  return created.token;
}

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | number | undefined>;
  text: string;
  json: any;
}

export async function call(
  app: TestGatehouse,
  method: 'GET' | 'POST' | 'DELETE',
  url: string,
  options: { token?: string; authorization?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  const headers: Record<string, string> = { host: new URL(app.url).host, ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization) headers.authorization = options.authorization;
  if (options.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  const reply = await app.gatehouse.app.inject({ method, url, headers, ...(options.body === undefined ? {} : { payload: options.body }) });
  let json: any;
  try {
    json = JSON.parse(reply.body);
  } catch {
    json = undefined;
  }
  return { status: reply.statusCode, headers: reply.headers, text: reply.body, json };
}

export const eventsOf = (app: TestGatehouse, accountId: string) =>
  app.gatehouse.services.db.selectFrom('security_events').selectAll().where('account_id', '=', accountId).orderBy('occurred_at').orderBy('id').execute();

export const UNKNOWN_ID = '00000000-0000-4000-8000-000000000000';
