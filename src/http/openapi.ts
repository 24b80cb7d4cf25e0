import type { FastifyInstance, RouteOptions } from 'fastify';
import { z } from 'zod';
import { ERROR_STATUS } from '../errors.js';
import type { AuthHooks } from './auth.js';

/**
 * GET /api/openapi.json, built from the route table itself: every route Fastify registers is
 * recorded as it is added, with its path parameters, who may call it, and the request schemas a
 * route declares (`schema: { body, querystring }`: the same zod objects its handler parses with).
 * docs/api.md is the prose; this is the machine-readable list.
 */
export function registerOpenApi(app: FastifyInstance, auth: AuthHooks, version: string): void {
  const routes: RouteOptions[] = [];
  app.addHook('onRoute', (route) => {
    // The web app's files (and Fastify's HEAD twins of GET routes) are not the API.
    if (route.method === 'HEAD' || !API_PATH.test(route.url)) return;
    routes.push(route);
  });
  // Validation stays in each handler's parse(), which answers 422 naming the field; a declared
  // schema only documents.
  app.setValidatorCompiler(() => (data) => ({ value: data }));

  let doc: object | null = null;
  app.get('/api/openapi.json', async () => (doc ??= openApiDocument(routes, auth, version)));
}

const API_PATH = /^\/(api|webhooks|media)\/|^\/(healthz|readyz|metrics)$/;

type Who = 'anyone' | 'user' | 'admin';

function whoMayCall(route: RouteOptions, auth: AuthHooks): Who {
  const hooks = [route.preHandler ?? []].flat();
  if (hooks.includes(auth.requireAdmin)) return 'admin';
  if (hooks.includes(auth.requireUser)) return 'user';
  return 'anyone';
}

const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message', 'requestId'],
      properties: {
        code: { type: 'string', enum: Object.keys(ERROR_STATUS), description: 'stable; see docs/api.md#errors' },
        message: { type: 'string', description: 'for people: what was wrong and what to do' },
        field: { type: 'string', description: 'the offending input field, on 422' },
        requestId: { type: 'string', description: 'the x-request-id of the request, also in the log lines it wrote' },
      },
    },
  },
};

function openApiDocument(routes: RouteOptions[], auth: AuthHooks, version: string) {
  const paths: Record<string, Record<string, object>> = {};
  for (const route of routes) {
    const path = route.url.replace(/:(\w+)/g, '{$1}');
    for (const method of [route.method].flat().filter((m) => m !== 'HEAD')) {
      (paths[path] ??= {})[method.toLowerCase()] = operation(route, whoMayCall(route, auth));
    }
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Parley', version, description: 'The SMS support desk. Prose and examples: docs/api.md in the repository.' },
    paths,
    components: {
      schemas: { Error: ERROR_SCHEMA },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer', description: 'the token from POST /api/login or /api/signup' },
        session: { type: 'apiKey', in: 'cookie', name: 'parley_session' },
      },
    },
  };
}

function operation(route: RouteOptions, who: Who) {
  const schema = (route.schema ?? {}) as { body?: z.ZodType; querystring?: z.ZodType };
  const params = [...route.url.matchAll(/:(\w+)/g)].map((m) => ({ name: m[1], in: 'path', required: true, schema: { type: 'string' } }));
  const query = schema.querystring ? queryParameters(schema.querystring) : [];
  const errorResponse = { description: 'a refusal', content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } } };
  return {
    ...(who === 'anyone' ? { security: [] } : { security: [{ bearer: [] }, { session: [] }] }),
    ...(who === 'admin' ? { description: 'admins only (403 for agents)' } : {}),
    parameters: [...params, ...query],
    ...(schema.body ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(schema.body) } } } } : {}),
    responses: { '2XX': { description: 'success; shapes in docs/api.md' }, default: errorResponse },
  };
}

function jsonSchema(schema: z.ZodType): object {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}

function queryParameters(schema: z.ZodType) {
  const json = jsonSchema(schema) as { properties?: Record<string, object>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, s]) => ({ name, in: 'query', required: json.required?.includes(name) ?? false, schema: s }));
}
