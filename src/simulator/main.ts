/**
 * Runs the Twilio simulator on its own (`npm run simulator`).
 *
 *   SIM_PORT            REST API, control API and phone page (default 3001)
 *   SIM_MEDIA_PORT      media host (default SIM_PORT + 1)
 *   SIM_HOST            listen address (default 127.0.0.1)
 *   SIM_PUBLIC_URL      the API's URL as others reach it, if not http://SIM_HOST:SIM_PORT
 *   SIM_MEDIA_PUBLIC_URL  the media host's URL as others reach it
 *   SIM_SEED            "demo" (default) seeds a demo account; "none" starts empty
 *   SIM_ACCOUNT_SID, SIM_AUTH_TOKEN  credentials of the seeded account (fixed demo values by default)
 *   SIM_LOG             "1" logs every request
 */
import { startSimulator } from './index.js';
import { seedDemo } from './seed.js';

const env = process.env;
const port = Number(env.SIM_PORT ?? 3001);
const sim = await startSimulator({
  port,
  mediaPort: Number(env.SIM_MEDIA_PORT ?? port + 1),
  host: env.SIM_HOST ?? '127.0.0.1',
  log: env.SIM_LOG === '1',
  ...(env.SIM_PUBLIC_URL ? { publicUrl: env.SIM_PUBLIC_URL } : {}),
  ...(env.SIM_MEDIA_PUBLIC_URL ? { mediaPublicUrl: env.SIM_MEDIA_PUBLIC_URL } : {}),
});

const lines = [
  `Twilio simulator on ${sim.url}`,
  `  media host      ${sim.mediaHostUrl}`,
  `  phone page      ${sim.url}/phone`,
  `  control API     ${sim.url}/_sim/`,
  `  point Parley at it with TWILIO_API_URL=${sim.url} TWILIO_MESSAGING_API_URL=${sim.url}`,
];
if ((env.SIM_SEED ?? 'demo') === 'demo') {
  const demo = seedDemo(sim, {
    ...(env.SIM_ACCOUNT_SID ? { accountSid: env.SIM_ACCOUNT_SID } : {}),
    ...(env.SIM_AUTH_TOKEN ? { authToken: env.SIM_AUTH_TOKEN } : {}),
  });
  lines.push(
    'Demo account:',
    `  Account SID     ${demo.accountSid}`,
    `  Auth Token      ${demo.authToken}`,
    `  number          ${demo.phoneNumber}`,
    `  short code      ${demo.shortCode}`,
    `  Messaging Service ${demo.messagingServiceSid}`,
    `  to buy          ${demo.availableNumbers.join(', ')}`,
  );
}
console.log(lines.join('\n'));

const shutdown = (): void => {
  sim.stop().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.once('SIGINT', shutdown);
process.once('SIGTERM', shutdown);
