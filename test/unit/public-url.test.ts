import { describe, expect, it } from 'vitest';
import { isA2p10dlcNumber } from '../../src/domain/phone.js';
import { isRealTwilio, publicUrlProblem } from '../../src/domain/public-url.js';

describe('a PUBLIC_URL Twilio can call', () => {
  it('accepts a public https address, with a port or a path', () => {
    for (const url of ['https://desk.example.com', 'https://desk.example.com:8443/parley', 'https://203.0.113.7', 'https://[2001:db8::1]', 'https://172.32.0.1']) {
      expect(publicUrlProblem(url)).toBeNull();
    }
  });

  it('refuses plain http, naming why', () => {
    expect(publicUrlProblem('http://desk.example.com')).toMatch(/not an https:\/\/ address/);
    expect(publicUrlProblem('http://localhost:3000')).toMatch(/https/);
  });

  it('refuses localhost and loopback addresses, however written', () => {
    for (const url of ['https://localhost:3000', 'https://LOCALHOST.', 'https://parley.localhost', 'https://127.0.0.1', 'https://127.8.9.10', 'https://0x7f.1', 'https://[::1]:3000', 'https://[::ffff:127.0.0.1]']) {
      expect(publicUrlProblem(url), url).toMatch(/localhost|loopback/);
    }
  });

  it('refuses private, link-local and unroutable addresses', () => {
    const cases: [string, string][] = [
      ['https://10.1.2.3', 'private'],
      ['https://172.16.0.1', 'private'],
      ['https://172.31.255.255', 'private'],
      ['https://192.168.1.20', 'private'],
      ['https://100.64.0.1', 'private'],
      ['https://[fd12:3456::1]', 'private'],
      ['https://[::ffff:10.0.0.1]', 'private'],
      ['https://169.254.169.254', 'link-local'],
      ['https://[fe80::1]', 'link-local'],
      ['https://0.0.0.0', 'non-routable'],
      ['https://[::]', 'non-routable'],
    ];
    for (const [url, kind] of cases) expect(publicUrlProblem(url), url).toContain(`a ${kind} address`);
  });

  it('refuses a host with an underscore, which Twilio rejects in callback URLs', () => {
    expect(publicUrlProblem('https://my_desk.example.com')).toMatch(/"_"/);
  });

  it('tells the real Twilio from the simulator', () => {
    expect(isRealTwilio('https://api.twilio.com')).toBe(true);
    expect(isRealTwilio('https://API.Twilio.com/')).toBe(true);
    expect(isRealTwilio('http://127.0.0.1:3001')).toBe(false);
    expect(isRealTwilio('https://api.twilio.com.example.net')).toBe(false);
  });
});

describe('numbers that need A2P 10DLC registration', () => {
  it('are US and Canadian long codes, not toll-free numbers or other countries', () => {
    expect(isA2p10dlcNumber('+14155550150')).toBe(true);
    expect(isA2p10dlcNumber('+16135550100')).toBe(true);
    expect(isA2p10dlcNumber('+18005550100')).toBe(false);
    expect(isA2p10dlcNumber('+18885550100')).toBe(false);
    expect(isA2p10dlcNumber('+18765550100')).toBe(false);
    expect(isA2p10dlcNumber('+447700900123')).toBe(false);
  });
});
