/**
 * Whether Twilio can call Parley back at PUBLIC_URL. Twilio only calls webhooks on the public
 * internet, and refuses callback hosts with `_`; a URL it cannot reach would be accepted at setup
 * and then lose every inbound text in silence. Pure: no I/O, no DNS.
 */

/** The real Twilio, as opposed to the simulator or a test double at TWILIO_API_URL. */
export function isRealTwilio(twilioApiUrl: string): boolean {
  try {
    const host = new URL(twilioApiUrl).hostname.toLowerCase();
    return host === 'twilio.com' || host.endsWith('.twilio.com');
  } catch {
    return false;
  }
}

/** Why Twilio could not call this URL, or null when it can. */
export function publicUrlProblem(publicUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(publicUrl);
  } catch {
    return 'it is not a URL';
  }
  if (url.protocol !== 'https:') return 'it is not an https:// address';
  const host = url.hostname.toLowerCase().replace(/\.$/, '');
  if (host.includes('_')) return 'its host contains "_", which Twilio refuses in callback URLs';
  if (host === 'localhost' || host.endsWith('.localhost')) return 'its host is localhost, which only this machine can reach';
  const ipKind = host.startsWith('[') ? ipv6Kind(host.slice(1, -1)) : ipv4Kind(host);
  return ipKind ? `its host is a ${ipKind} address, which Twilio cannot reach` : null;
}

/** WHATWG URL parsing has already normalised IPv4 hosts to dotted quads. */
function ipv4Kind(host: string): string | null {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (!m) return null;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a === 127) return 'loopback';
  if (a === 0) return 'non-routable';
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private';
  // Carrier-grade NAT space: as unreachable from the internet as a private network.
  if (a === 100 && b >= 64 && b <= 127) return 'private';
  if (a === 169 && b === 254) return 'link-local';
  return null;
}

function ipv6Kind(host: string): string | null {
  if (host === '::1') return 'loopback';
  if (host === '::') return 'non-routable';
  // An IPv4 address written as IPv6 (::ffff:7f00:1) is that IPv4 address.
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(host);
  if (mapped) {
    const [hi, lo] = [parseInt(mapped[1]!, 16), parseInt(mapped[2]!, 16)];
    return ipv4Kind(`${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`);
  }
  const first = parseInt(host.split(':')[0] || '0', 16);
  if ((first & 0xfe00) === 0xfc00) return 'private';
  if ((first & 0xffc0) === 0xfe80) return 'link-local';
  return null;
}
