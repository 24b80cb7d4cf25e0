import type { Simulator } from './index.js';

export interface DemoWorld {
  accountSid: string;
  authToken: string;
  /** A long code already in the account (still on Twilio's demo SmsUrl, for the product to claim). */
  phoneNumber: string;
  shortCode: string;
  messagingServiceSid: string;
  /** Numbers the account can buy. */
  availableNumbers: string[];
}

// Fixed values so a demo's .env keeps working across simulator restarts.
export const DEMO_ACCOUNT_SID = 'AC' + '0123456789abcdef'.repeat(2);
export const DEMO_AUTH_TOKEN = 'fedcba9876543210'.repeat(2);
export const DEMO_MESSAGING_SERVICE_SID = 'MG' + 'abcdef0123456789'.repeat(2);

/**
 * A ready-made Twilio account for demos: one number, one short code, a Messaging Service with
 * its own pool number, and a few numbers to buy. Fictional 555-01xx numbers throughout.
 */
export function seedDemo(sim: Simulator, opts: { accountSid?: string; authToken?: string } = {}): DemoWorld {
  const { sid, authToken } = sim.createAccount({
    sid: opts.accountSid ?? DEMO_ACCOUNT_SID,
    authToken: opts.authToken ?? DEMO_AUTH_TOKEN,
    friendlyName: 'Parley demo',
  });
  const phoneNumber = sim.addIncomingNumber(sid, '+14155550100').phoneNumber;
  const shortCode = sim.addShortCode(sid, '55501').shortCode;
  const service = sim.addMessagingService(sid, {
    sid: DEMO_MESSAGING_SERVICE_SID,
    friendlyName: 'Parley demo service',
    phoneNumbers: ['+14155550110'],
  });
  const availableNumbers = ['+14155550142', '+14155550143', '+12125550144', '+15125550145'];
  for (const number of availableNumbers) sim.addAvailableNumber('US', number);
  return { accountSid: sid, authToken, phoneNumber, shortCode, messagingServiceSid: service.sid, availableNumbers };
}
