import { randomBytes, scrypt, timingSafeEqual } from 'node:crypto';

/**
 * Password hashes in a PHC-style string:
 *
 *   $scrypt$ln=<log2 N>,r=<block size>,p=<parallelism>$<salt, base64>$<key, base64>
 *
 * Defaults: ln=15 (N=32768), r=8, p=1, 16-byte salt, 32-byte key — about 50 ms and 32 MiB
 * per verification, which is why the proxy caches successful verifications.
 */
export const SCRYPT_DEFAULTS = { ln: 15, r: 8, p: 1, saltBytes: 16, keyBytes: 32 } as const;
export const SCRYPT_HASH_PATTERN = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface ScryptParams {
  ln: number;
  r: number;
  p: number;
  salt: Buffer;
  key: Buffer;
}

/** Parses a hash string; returns an error message instead of throwing. */
export function parseScryptHash(hash: string): ScryptParams | string {
  const m = SCRYPT_HASH_PATTERN.exec(hash);
  if (m === null) return 'expected $scrypt$ln=<n>,r=<n>,p=<n>$<base64 salt>$<base64 key> (see `sockscale hash-password`)';
  const [, ln, r, p, salt, key] = m as unknown as [string, string, string, string, string, string];
  const params = { ln: Number(ln), r: Number(r), p: Number(p), salt: Buffer.from(salt, 'base64'), key: Buffer.from(key, 'base64') };
  if (params.ln < 1 || params.ln > 20) return `ln=${params.ln} is out of range 1-20`;
  if (params.r < 1 || params.p < 1 || params.r * params.p >= 1 << 30) return 'r and p must be positive';
  if (128 * params.r * (1 << params.ln) > 1 << 30) return 'parameters need more than 1 GiB of memory';
  if (params.salt.length < 8) return 'salt must be at least 8 bytes';
  if (params.key.length < 16) return 'key must be at least 16 bytes';
  return params;
}

function derive(password: string, salt: Buffer, ln: number, r: number, p: number, keyBytes: number): Promise<Buffer> {
  const N = 1 << ln;
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, keyBytes, { N, r, p, maxmem: 256 * N * r + (1 << 20) }, (err, key) => {
      if (err) reject(err);
      else resolve(key);
    });
  });
}

export async function hashPassword(password: string, opts: Partial<Pick<ScryptParams, 'ln' | 'r' | 'p'>> = {}): Promise<string> {
  const ln = opts.ln ?? SCRYPT_DEFAULTS.ln;
  const r = opts.r ?? SCRYPT_DEFAULTS.r;
  const p = opts.p ?? SCRYPT_DEFAULTS.p;
  const salt = randomBytes(SCRYPT_DEFAULTS.saltBytes);
  const key = await derive(password, salt, ln, r, p, SCRYPT_DEFAULTS.keyBytes);
  return `$scrypt$ln=${ln},r=${r},p=${p}$${salt.toString('base64')}$${key.toString('base64')}`;
}

/** Verifies a password against a parsed hash in constant time (with respect to the key). */
export async function verifyScrypt(password: string, params: ScryptParams): Promise<boolean> {
  const key = await derive(password, params.salt, params.ln, params.r, params.p, params.key.length);
  return timingSafeEqual(key, params.key);
}
