/**
 * `npm run demo`: the Twilio simulator and the desk in one process, on embedded SQLite, with a
 * demo organization (an admin and an agent), the simulated Twilio account connected and its
 * number added through the API, and a few conversations. The simulator keeps its phones in
 * memory, so the demo starts afresh each run in its own data folder.
 *
 *   PORT             the desk (default 3000)
 *   SIM_PORT         the simulator: Twilio's API and the phone page (default 3001)
 *   SIM_MEDIA_PORT   the simulator's media host (default SIM_PORT + 1)
 *   HOST             listen address of all three (default 127.0.0.1)
 *   DEMO_DATA_DIR    the demo's database folder (default ./data/demo), emptied on every run
 */
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig, type Config } from '../src/config.js';
import { createServer, type Server } from '../src/server.js';
import { startSimulator, type Simulator } from '../src/simulator/index.js';
import { seedDemo, type DemoWorld } from '../src/simulator/seed.js';
import { apiAs, seedConversations, settled } from './demo-seed.js';

const env = process.env;
const port = Number(env.PORT ?? 3000);
const simPort = Number(env.SIM_PORT ?? 3001);
const simMediaPort = Number(env.SIM_MEDIA_PORT ?? simPort + 1);
const host = env.HOST ?? '127.0.0.1';
const dataDir = path.resolve(env.DEMO_DATA_DIR ?? './data/demo');
const ADMIN = { email: 'admin@demo.parley.dev', password: 'parley-demo', name: 'Dana Admin' };
const AGENT = { email: 'agent@demo.parley.dev', password: 'parley-demo', name: 'Sam Agent' };
/** Marks a folder this script created, so it never empties a folder that holds anything else. */
const MARKER = '.parley-demo';

function fail(message: string): never {
  console.error(`\nThe demo could not start: ${message}\n`);
  process.exit(1);
}

function portHint(error: unknown, which: string): string {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE') return `${which} is already in use. Stop what uses it, or pick other ports: PORT=4000 SIM_PORT=4001 npm run demo`;
  return `${which}: ${(error as Error).message}`;
}

function resetDataDir(): void {
  if (existsSync(dataDir) && readdirSync(dataDir).length > 0 && !existsSync(path.join(dataDir, MARKER))) {
    fail(`${dataDir} holds files the demo did not create. Set DEMO_DATA_DIR to an empty or new folder.`);
  }
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path.join(dataDir, MARKER), 'Created by npm run demo; emptied on every run.\n');
}

async function startDesk(simUrl: string): Promise<{ server: Server; config: Config }> {
  resetDataDir();
  const config = loadConfig({
    ...env,
    PORT: String(port),
    HOST: host,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    TWILIO_API_URL: simUrl,
    TWILIO_MESSAGING_API_URL: simUrl,
    // The desk's request log would bury the instructions below; LOG_LEVEL=info brings it back.
    LOG_LEVEL: env.LOG_LEVEL ?? 'warn',
  });
  const server = await createServer(config);
  try {
    await server.app.listen({ port: config.port, host: config.host });
  } catch (error) {
    await server.close();
    throw new Error(portHint(error, `Port ${config.port} (the desk)`));
  }
  server.runner?.start();
  return { server, config };
}

/** Sign up, invite the agent, connect the simulated account and add its number, all through the API. */
async function setUpOrganization(server: Server, twilio: DemoWorld) {
  const anonymous = apiAs(server.app, null);
  const signup = await anonymous<{ token: string }>('POST', '/api/signup', { orgName: 'Blue Ridge Mugs', ...ADMIN });
  const admin = apiAs(server.app, signup.token);
  const agentUser = await admin<{ id: string }>('POST', '/api/users', { ...AGENT, role: 'agent' });
  const agentLogin = await anonymous<{ token: string }>('POST', '/api/login', { email: AGENT.email, password: AGENT.password });
  await admin('PUT', '/api/integrations/twilio', { accountSid: twilio.accountSid, authToken: twilio.authToken });
  await admin('POST', '/api/integrations/twilio/senders', { type: 'phone_number', phoneNumber: twilio.phoneNumber });
  return { admin, agent: apiAs(server.app, agentLogin.token), agentId: agentUser.id };
}

function instructions(config: Config, sim: Simulator, twilio: DemoWorld): string {
  const phonePage = `${sim.url}/phone?to=${encodeURIComponent(twilio.phoneNumber)}`;
  return `
  Parley demo is running.

  1. Open the desk      ${config.publicUrl}
     and sign in:       admin  ${ADMIN.email}  password ${ADMIN.password}
                        agent  ${AGENT.email}  password ${AGENT.password}
  2. Open the phone     ${phonePage}
     and text the support number ${twilio.phoneNumber}: words, emoji or a picture.
  3. Answer from the desk's inbox; the phone shows your reply and its delivery.

  Simulated Twilio      ${sim.url}
     Account SID        ${twilio.accountSid}
     Auth Token         ${twilio.authToken}
     (Settings → Twilio account shows it connected; disconnect and connect again with these.)

  Data lives in ${dataDir} and starts afresh on every run. Ctrl+C stops the demo.
`;
}

async function main(): Promise<void> {
  let sim: Simulator;
  try {
    sim = await startSimulator({ port: simPort, mediaPort: simMediaPort, host });
  } catch (error) {
    fail(portHint(error, `Port ${simPort} or ${simMediaPort} (the simulator)`));
  }
  const twilio = seedDemo(sim);
  let desk: { server: Server; config: Config };
  try {
    desk = await startDesk(sim.url);
  } catch (error) {
    await sim.stop();
    fail((error as Error).message);
  }
  const { server, config } = desk;

  let stopping = false;
  const shutdown = async () => {
    if (stopping) process.exit(1); // a second Ctrl+C does not wait
    stopping = true;
    console.log('\nStopping the demo…');
    await server.close();
    await sim.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown());
  process.on('SIGTERM', () => void shutdown());

  try {
    const team = await setUpOrganization(server, twilio);
    const conversations = await seedConversations(sim, team, twilio.phoneNumber);
    await settled(team.admin, conversations);
  } catch (error) {
    await server.close();
    await sim.stop();
    fail((error as Error).message);
  }
  console.log(instructions(config, sim, twilio));
}

await main();
