import type { AvailableNumber, IncomingNumber, Sender, TwilioIntegration } from '../api/types';

/** The Twilio integration's shapes as the server presents them, for the settings tests. */
export function aTwilioIntegration(overrides: Partial<TwilioIntegration> = {}): TwilioIntegration {
  return {
    publicUrl: 'https://desk.example.com',
    connected: true,
    accountSid: 'AC' + '0'.repeat(32),
    connectedAt: '2025-03-03T10:00:00.000Z',
    connectedBy: null,
    paused: false,
    senders: [],
    signatureFailures: { count: 0, lastAt: null },
    ...overrides,
  };
}

export function aPhoneSender(overrides: Partial<Sender> = {}): Sender {
  return {
    id: 's-bought',
    type: 'phone_number',
    phoneNumber: '+14155550150',
    shortCode: null,
    messagingServiceSid: null,
    twilioSid: 'PN' + '1'.repeat(32),
    capabilities: { sms: true, mms: true },
    ratePerSecond: 1,
    active: true,
    ...overrides,
  };
}

export function anIncomingNumber(overrides: Partial<IncomingNumber> = {}): IncomingNumber {
  return {
    phoneNumber: '+14155550131',
    friendlyName: '(415) 555-0131',
    twilioSid: 'PN' + '2'.repeat(32),
    capabilities: { sms: true, mms: true },
    smsUrl: 'https://demo.twilio.com/welcome/sms/reply',
    webhook: 'demo',
    senderId: null,
    messagingServiceSid: null,
    ...overrides,
  };
}

export function anAvailableNumber(overrides: Partial<AvailableNumber> = {}): AvailableNumber {
  return {
    phoneNumber: '+14155550150',
    friendlyName: '(415) 555-0150',
    locality: 'San Francisco',
    region: 'CA',
    postalCode: null,
    isoCountry: 'US',
    capabilities: { sms: true, mms: true },
    ...overrides,
  };
}
