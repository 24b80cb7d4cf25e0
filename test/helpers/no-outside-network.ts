import net from 'node:net';

/**
 * Tests talk only to the app and the simulator on this machine: a connection to any other
 * host fails the test at once instead of reaching (or hanging on) the outside world.
 */
const LOCAL = new Set(['127.0.0.1', 'localhost', '::1', '::ffff:127.0.0.1', undefined, '']);
const original = net.Socket.prototype.connect;
net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
  const first = args[0] as { host?: string; path?: string } | number | string;
  const host = typeof first === 'object' && first !== null ? first.host : typeof args[1] === 'string' ? args[1] : undefined;
  const isUnixSocket = typeof first === 'object' && first !== null && typeof first.path === 'string';
  if (!isUnixSocket && !LOCAL.has(host)) {
    throw new Error(`Test tried to reach ${host}: tests may only call the app and the simulator on this machine`);
  }
  return (original as (...a: unknown[]) => net.Socket).apply(this, args);
} as typeof original;
