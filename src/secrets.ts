import { createCipheriv, createDecipheriv, createHash, hkdfSync, randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from './config.js';

/** Each purpose gets its own key, so a leak or misuse of one never weakens another. */
export type KeyPurpose = 'twilio-token-encryption' | 'session-tokens' | 'media-urls' | 'login-throttle';

export interface Keyring {
  /** The key for a purpose under the current APP_SECRET. */
  key(purpose: KeyPurpose): Buffer;
  /** Encrypts with AES-256-GCM; the result names the secret it was made under. */
  encrypt(purpose: KeyPurpose, plaintext: string): string;
  /** Decrypts a value made under the current or, during a rotation, the previous secret. */
  decrypt(purpose: KeyPurpose, sealed: string): string;
  /** True when a sealed value was made under the current secret. */
  isCurrent(sealed: string): boolean;
}

/**
 * APP_SECRET from the environment, or on SQLite a secret generated once into DATA_DIR
 * (mode 0600) and reused on every start, so a single-machine install needs no setup.
 */
export function resolveAppSecret(config: Config): string {
  if (config.appSecret) return config.appSecret;
  if (config.databaseUrl) throw new Error('APP_SECRET is required with DATABASE_URL');
  const file = path.join(config.dataDir, 'app-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(config.dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  writeFileSync(file, secret + '\n', { mode: 0o600, flag: 'wx' });
  chmodSync(file, 0o600);
  return secret;
}

// HKDF costs tens of microseconds and every webhook and API call needs a key: derive each once.
const derived = new Map<string, Buffer>();

function derive(secret: string, purpose: KeyPurpose): Buffer {
  const id = `${keyId(secret)}:${purpose}`;
  let key = derived.get(id);
  if (!key) {
    key = Buffer.from(hkdfSync('sha256', secret, 'parley', purpose, 32));
    derived.set(id, key);
  }
  return Buffer.from(key);
}

/** A short public fingerprint of a secret, stored beside ciphertexts to pick the key. */
function keyId(secret: string): string {
  return createHash('sha256').update('parley-key-id:' + secret).digest('hex').slice(0, 8);
}

export function createKeyring(secret: string, previous?: string): Keyring {
  const secrets = new Map<string, string>([[keyId(secret), secret]]);
  if (previous) secrets.set(keyId(previous), previous);
  const currentId = keyId(secret);

  return {
    key: (purpose) => derive(secret, purpose),
    encrypt(purpose, plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', derive(secret, purpose), iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      return ['v1', currentId, iv.toString('base64url'), cipher.getAuthTag().toString('base64url'), data.toString('base64url')].join('.');
    },
    decrypt(purpose, sealed) {
      const [version, id, iv, tag, data] = sealed.split('.');
      const owner = id ? secrets.get(id) : undefined;
      if (version !== 'v1' || !owner || !iv || !tag || data === undefined) {
        throw new Error('Cannot decrypt: the value was sealed under an unknown APP_SECRET');
      }
      const decipher = createDecipheriv('aes-256-gcm', derive(owner, purpose), Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
    isCurrent: (sealed) => sealed.split('.')[1] === currentId,
  };
}
