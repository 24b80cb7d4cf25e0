import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import type { Context } from '../../context.js';
import { authOf, SESSION_COOKIE, setSessionCookie, type AuthHooks } from '../../http/auth.js';
import { email, id, parse, password, text } from '../../http/validate.js';
import * as accounts from './service.js';
import { NOTIFY_PREFERENCES } from '../../domain/notify.js';

const name = text().trim().min(1, 'must not be empty').max(200);
const role = z.enum(['admin', 'agent']);
const signupInput = z.object({ orgName: name, name, email, password }).strict();
const loginInput = z.object({ email, password: z.string().min(1, 'is required') }).strict();
const passwordInput = z.object({ currentPassword: z.string().min(1, 'is required'), newPassword: password }).strict();
const inviteInput = z.object({ email, name, role, password }).strict();
const userChanges = z.object({ role: role.optional(), name: name.optional(), active: z.boolean().optional() }).strict();
const settingsInput = z
  .object({
    threadingWindowHours: z.number().gt(0, 'must be more than 0 hours').max(720, 'must be at most 720 hours').optional(),
    businessHours: z
      .object({
        timezone: z.string().max(64),
        weekly: z.array(z.object({ day: z.number().int(), open: z.string().max(5), close: z.string().max(5) }).strict()).max(7 * 6, 'has too many ranges'),
      })
      .strict()
      .nullable()
      .optional(),
    awayMessage: text().max(5000).nullable().optional(),
  })
  .strict();

export function accountRoutes(app: FastifyInstance, ctx: Context, auth: AuthHooks) {
  const setCookie = (reply: FastifyReply, token: string) => setSessionCookie(reply, ctx.config, token);

  app.post('/api/signup', { onRequest: auth.requireOwnOriginToSignIn, schema: { body: signupInput } }, async (req, reply) => {
    const input = parse(signupInput, req.body);
    const result = await accounts.signup(ctx, input);
    setCookie(reply, result.token);
    return reply.status(201).send(result);
  });

  app.post('/api/login', { onRequest: auth.requireOwnOriginToSignIn, schema: { body: loginInput } }, async (req, reply) => {
    const input = parse(loginInput, req.body);
    const result = await accounts.login(ctx, input);
    setCookie(reply, result.token);
    return result;
  });

  app.post('/api/logout', { preHandler: auth.requireUser }, async (req, reply) => {
    await accounts.logout(ctx, authOf(req));
    reply.clearCookie(SESSION_COOKIE, { path: '/' });
    return reply.status(204).send();
  });

  app.get('/api/me', { preHandler: auth.requireUser }, (req) => accounts.me(ctx, authOf(req)));

  const preferencesInput = z.object({ notify: z.enum(NOTIFY_PREFERENCES).optional(), sound: z.boolean().optional() }).strict();
  app.get('/api/me/preferences', { preHandler: auth.requireUser }, (req) => accounts.preferences(ctx, authOf(req)));

  app.patch('/api/me/preferences', { preHandler: auth.requireUser, schema: { body: preferencesInput } }, async (req) => {
    const input = parse(preferencesInput, req.body);
    return accounts.updatePreferences(ctx, authOf(req), input);
  });

  app.post('/api/me/password', { preHandler: auth.requireUser, schema: { body: passwordInput } }, async (req, reply) => {
    const input = parse(passwordInput, req.body);
    await accounts.changePassword(ctx, authOf(req), input);
    return reply.status(204).send();
  });

  app.get('/api/users', { preHandler: auth.requireUser }, async (req) => ({ items: await accounts.listUsers(ctx, authOf(req)), nextCursor: null }));

  app.post('/api/users', { preHandler: auth.requireAdmin, schema: { body: inviteInput } }, async (req, reply) => {
    const input = parse(inviteInput, req.body);
    return reply.status(201).send(await accounts.inviteUser(ctx, authOf(req), input));
  });

  app.patch('/api/users/:id', { preHandler: auth.requireAdmin, schema: { body: userChanges } }, async (req) => {
    const changes = parse(userChanges, req.body);
    return accounts.updateUser(ctx, authOf(req), parse(id, req.params).id, changes);
  });

  app.delete('/api/users/:id', { preHandler: auth.requireAdmin }, async (req) => accounts.deactivateUser(ctx, authOf(req), parse(id, req.params).id));

  app.patch('/api/settings', { preHandler: auth.requireAdmin, schema: { body: settingsInput } }, async (req) => {
    const input = parse(settingsInput, req.body);
    return { organization: await accounts.updateSettings(ctx, authOf(req), input) };
  });
}
