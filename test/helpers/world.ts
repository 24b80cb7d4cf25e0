import { apiClient, type Api } from './api.js';
import { startTestServer, type Engine, type TestServer, type TestServerOptions } from './server.js';

export interface World {
  server: TestServer;
  /** The admin of the first organization. */
  admin: { id: string; email: string; token: string; api: Api };
  agent: { id: string; email: string; token: string; api: Api };
  anonymous: Api;
  organizationId: string;
  /** Creates a user in the organization and signs them in. */
  addUser(role: 'admin' | 'agent', email?: string): Promise<{ id: string; email: string; token: string; api: Api }>;
  destroy(): Promise<void>;
}

export const PASSWORD = 'correct horse battery';

/** The whole world in one line: a server on a fresh database, an organization with an admin and an agent. */
export async function createWorld(engine: Engine, options: TestServerOptions & { orgName?: string } = {}): Promise<World> {
  const server = await startTestServer(engine, options);
  const anonymous = apiClient(server.app);
  const signup = await anonymous.post('/api/signup', { orgName: options.orgName ?? 'Acme Support', name: 'Ada Admin', email: 'ada@acme.test', password: PASSWORD });
  if (signup.status !== 201) throw new Error(`signup failed: ${JSON.stringify(signup.body)}`);
  const admin = { id: signup.body.user.id, email: 'ada@acme.test', token: signup.body.token, api: apiClient(server.app, signup.body.token) };

  const addUser = async (role: 'admin' | 'agent', email = `${role}-${Math.random().toString(36).slice(2, 8)}@acme.test`) => {
    const created = await admin.api.post('/api/users', { email, name: `${role} ${email.split('@')[0]}`, role, password: PASSWORD });
    if (created.status !== 201) throw new Error(`invite failed: ${JSON.stringify(created.body)}`);
    const login = await anonymous.post('/api/login', { email, password: PASSWORD });
    return { id: created.body.id as string, email, token: login.body.token as string, api: apiClient(server.app, login.body.token) };
  };
  const agent = await addUser('agent', 'alan@acme.test');
  return { server, admin, agent, anonymous, organizationId: signup.body.organization.id, addUser, destroy: () => server.destroy() };
}
