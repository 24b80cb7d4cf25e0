import twilio from 'twilio';
import { describe, expect, it } from 'vitest';
import { twilioSignature } from '../../src/simulator/signature.js';

describe('twilioSignature', () => {
  const token = '12345678901234567890123456789012';

  it("matches Twilio's documented example", () => {
    // The signature-validation example of Twilio's docs (TwilioDevEd/api-snippets).
    const url = 'https://mycompany.com/myapp.php?foo=1&bar=2';
    const params = { CallSid: 'CA1234567890ABCDE', Caller: '+14158675309', Digits: '1234', From: '+14158675309', To: '+18005551212' };
    expect(twilioSignature('12345', url, params)).toBe('RSOYDt4T1cUTdK1PDd93/VVr8B8=');
  });

  it('is accepted by twilio.validateRequest for unicode bodies and query strings', () => {
    const url = 'http://127.0.0.1:3000/webhooks/twilio/status?attempt=at_1&x=a%2Fb';
    const params = { Body: 'Ça va? 👋 ç & = +', MessageSid: 'SM1', NumMedia: '0', a: '', Z: 'upper' };
    const signature = twilioSignature(token, url, params);
    expect(twilio.validateRequest(token, signature, url, params)).toBe(true);
    expect(twilio.validateRequest('other-token', signature, url, params)).toBe(false);
    expect(twilio.validateRequest(token, signature, url.replace('at_1', 'at_2'), params)).toBe(false);
  });
});
