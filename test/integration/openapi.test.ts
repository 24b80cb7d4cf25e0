/** GET /api/openapi.json lists every route of the route table, from the schemas the routes parse with. */
import Fastify, { type RouteOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { authHooks } from '../../src/http/auth.js';
import { registerRoutes } from '../../src/http/routes.js';
import { ENGINES } from '../helpers/server.js';
import { createWorld, type World } from '../helpers/world.js';

/** Routes the app adds beside the route table: health, readiness, metrics and this document. */
const OPS_ROUTES = ['GET /healthz', 'GET /readyz', 'GET /metrics', 'GET /api/openapi.json'];

for (const engine of ENGINES) {
  describe(`the OpenAPI document (${engine})`, () => {
    let world: World;
    afterEach(() => world?.destroy());

    it('describes every registered route, who may call it, and the error shape', async () => {
      world = await createWorld(engine);
      // The route table, registered again on a bare Fastify that only records what it is given.
      const table = Fastify();
      const registered: string[] = [];
      table.addHook('onRoute', (r: RouteOptions) => {
        for (const m of [r.method].flat()) if (m !== 'HEAD') registered.push(`${m} ${r.url}`);
      });
      table.setValidatorCompiler(() => (data) => ({ value: data }));
      registerRoutes(table, world.server.ctx, authHooks(world.server.ctx));
      await table.ready();
      await table.close();
      expect(registered.length).toBeGreaterThan(30);

      const res = await world.anonymous.get('/api/openapi.json');
      expect(res.status).toBe(200);
      const doc = res.body as { openapi: string; paths: Record<string, Record<string, any>>; components: { schemas: Record<string, any> } };
      expect(doc.openapi).toBe('3.1.0');
      const documented = Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
      expect(documented.sort()).toEqual([...registered, ...OPS_ROUTES].sort());

      // Every operation answers refusals in the one error shape.
      for (const ops of Object.values(doc.paths)) for (const op of Object.values(ops)) expect(op.responses.default.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/Error' });
      expect(doc.components.schemas.Error.properties.error.required).toEqual(['code', 'message', 'requestId']);

      // The request schemas are the ones the handlers parse with.
      const login = doc.paths['/api/login']!.post;
      expect(login.security).toEqual([]);
      expect(login.requestBody.content['application/json'].schema).toMatchObject({ type: 'object', required: ['email', 'password'], additionalProperties: false });
      const inbox = doc.paths['/api/conversations']!.get;
      expect(inbox.parameters.map((p: { name: string }) => p.name)).toEqual(['status', 'assignee', 'q', 'label', 'cursor', 'limit']);
      expect(inbox.security).toEqual([{ bearer: [] }, { session: [] }]);
      expect(doc.paths['/api/users/{id}']!.patch.description).toContain('admins only');
      expect(doc.paths['/api/users/{id}']!.patch.parameters[0]).toMatchObject({ name: 'id', in: 'path', required: true });
    });

    it('leaves validation to the handlers: a refused body is still a 422 naming the field', async () => {
      world = await createWorld(engine);
      const res = await world.anonymous.post('/api/login', { email: 'not-an-email', password: 'x' });
      expect(res.status).toBe(422);
      expect(res.body.error).toMatchObject({ code: 'validation_failed', field: 'email' });
    });
  });
}
