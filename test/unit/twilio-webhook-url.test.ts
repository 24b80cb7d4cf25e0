import { describe, expect, it } from 'vitest';
import { inboundWebhookUrl, isTwilioDemoUrl, routeOwner, webhookOwner } from '../../src/features/twilio/webhook-url.js';

const OURS = 'https://desk.example.com/webhooks/twilio/messages';

describe('whose SMS URL a Twilio sender holds', () => {
  it('builds Parley’s inbound URL from PUBLIC_URL', () => {
    expect(inboundWebhookUrl('https://desk.example.com')).toBe(OURS);
    expect(inboundWebhookUrl('https://desk.example.com/')).toBe(OURS);
  });

  it('treats an empty URL as nobody’s', () => {
    expect(webhookOwner('', OURS)).toBe('none');
    expect(webhookOwner('   ', OURS)).toBe('none');
    expect(webhookOwner(null, OURS)).toBe('none');
  });

  it('recognizes Twilio’s demo reply however it is written', () => {
    for (const url of [
      'https://demo.twilio.com/welcome/sms/reply',
      'https://demo.twilio.com/welcome/sms/reply/',
      'http://demo.twilio.com/welcome/sms/reply',
      'https://DEMO.twilio.com/welcome/sms/reply.xml',
      'https://demo.twilio.com/welcome/sms/',
    ]) {
      expect(isTwilioDemoUrl(url)).toBe(true);
      expect(webhookOwner(url, OURS)).toBe('demo');
    }
    expect(isTwilioDemoUrl('https://demo.twilio.com.evil.example/welcome/sms/reply')).toBe(false);
    expect(isTwilioDemoUrl('https://demo.twilio.com/welcome/voice/')).toBe(false);
    expect(isTwilioDemoUrl('not a url')).toBe(false);
  });

  it('counts our own URL as ours, with or without a trailing slash', () => {
    expect(webhookOwner(OURS, OURS)).toBe('parley');
    expect(webhookOwner(`${OURS}/`, OURS)).toBe('parley');
  });

  it('counts any other URL as another application’s', () => {
    expect(webhookOwner('https://helpdesk.example.com/sms', OURS)).toBe('other');
    expect(webhookOwner('https://desk.example.com/webhooks/twilio/status', OURS)).toBe('other');
    expect(webhookOwner('http://desk.example.com/webhooks/twilio/messages', OURS)).toBe('other');
  });
});

describe('who receives a Twilio sender’s texts', () => {
  const route = (over: Partial<{ url: string; applicationSid: string; defersToNumbers: boolean }>) => ({ url: '', applicationSid: '', defersToNumbers: false, ...over });

  it('is whoever owns the URL when nothing overrides it', () => {
    expect(routeOwner(route({ url: OURS }), OURS)).toBe('parley');
    expect(routeOwner(route({ url: 'https://demo.twilio.com/welcome/sms/reply' }), OURS)).toBe('demo');
    expect(routeOwner(route({}), OURS)).toBe('none');
  });

  it('is another application’s when an SMS application or deferral to the numbers overrides the URL', () => {
    expect(routeOwner(route({ url: OURS, applicationSid: 'AP' + '1'.repeat(32) }), OURS)).toBe('other');
    expect(routeOwner(route({ url: OURS, defersToNumbers: true }), OURS)).toBe('other');
    expect(routeOwner(route({ defersToNumbers: true }), OURS)).toBe('other');
  });
});
