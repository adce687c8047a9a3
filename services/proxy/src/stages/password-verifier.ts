import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { parseScryptHash, verifyScrypt, type ScryptParams, type SocksUser } from '@sockscale/common';

export type AuthResult = { ok: true; user: SocksUser } | { ok: false; reason: 'unknown_user' | 'bad_password' | 'disabled' | 'busy' };

interface Credential {
  user: SocksUser;
  /** HMAC of the plain password (embedded mode `password.value`). */
  plainMac?: Buffer;
  /** Parsed scrypt hash (`password.hash`). */
  scrypt?: ScryptParams;
  /** HMAC of the last password that verified against `scrypt` (the login cache). */
  verifiedMac?: Buffer;
}

/**
 * Username/password verification with a cache of successful verifications, so the scrypt cost
 * (tens of ms, by design) is paid once per user and password, not once per login.
 *
 * The cache never holds a password: it holds HMAC-SHA256(processKey, password) where processKey
 * is random per process, and compares in constant time. A cache entry belongs to one hash
 * string; a policy change that replaces the user's hash drops it. Failed verifications are not
 * cached and run at most `maxConcurrentHashes` scrypt computations at once (the rest wait in a
 * bounded queue, then fail as 'busy'), so password guessing cannot exhaust CPU and memory.
 */
export class PasswordVerifier {
  private readonly key = randomBytes(32);
  private credentials = new Map<string, Credential>();
  private running = 0;
  private readonly queue: (() => void)[] = [];

  constructor(
    private readonly maxConcurrentHashes = 2,
    private readonly maxQueued = 256,
  ) {}

  /** Installs the users of a new snapshot, keeping cache entries whose hash did not change. */
  setUsers(users: Iterable<SocksUser>): void {
    const next = new Map<string, Credential>();
    for (const user of users) {
      const cred: Credential = { user };
      const pw = user.spec.password;
      if (pw.value !== undefined) {
        cred.plainMac = this.mac(pw.value);
      } else if (pw.hash !== undefined) {
        const parsed = parseScryptHash(pw.hash);
        if (typeof parsed !== 'string') {
          cred.scrypt = parsed;
          const old = this.credentials.get(user.metadata.name);
          if (old?.user.spec.password.hash === pw.hash) cred.verifiedMac = old.verifiedMac;
        }
      }
      next.set(user.metadata.name, cred);
    }
    this.credentials = next;
  }

  get userCount(): number {
    return this.credentials.size;
  }

  /**
   * The answer when it needs no scrypt computation (unknown or disabled user, plain password,
   * a password that verified before), synchronously; undefined when only `verify` can tell.
   */
  verifyKnown(username: string, password: string): AuthResult | undefined {
    const cred = this.credentials.get(username);
    const mac = this.mac(password);
    if (cred === undefined) {
      timingSafeEqual(mac, mac); // same work shape as a real comparison
      return { ok: false, reason: 'unknown_user' };
    }
    if (cred.user.spec.disabled) return { ok: false, reason: 'disabled' };
    if (cred.plainMac !== undefined) {
      return timingSafeEqual(mac, cred.plainMac) ? { ok: true, user: cred.user } : { ok: false, reason: 'bad_password' };
    }
    if (cred.scrypt === undefined) return { ok: false, reason: 'bad_password' };
    if (cred.verifiedMac !== undefined && timingSafeEqual(mac, cred.verifiedMac)) return { ok: true, user: cred.user };
    return undefined;
  }

  async verify(username: string, password: string): Promise<AuthResult> {
    const known = this.verifyKnown(username, password);
    if (known !== undefined) return known;
    const cred = this.credentials.get(username);
    if (cred?.scrypt === undefined) return { ok: false, reason: 'bad_password' }; // not reached: verifyKnown answers these
    const mac = this.mac(password);
    if (!(await this.acquire())) return { ok: false, reason: 'busy' };
    let ok: boolean;
    try {
      ok = await verifyScrypt(password, cred.scrypt);
    } finally {
      this.release();
    }
    if (!ok) return { ok: false, reason: 'bad_password' };
    // Only cache if the credential is still the one in force.
    if (this.credentials.get(username) === cred) cred.verifiedMac = mac;
    return { ok: true, user: cred.user };
  }

  private mac(s: string): Buffer {
    return createHmac('sha256', this.key).update(s, 'utf8').digest();
  }

  private acquire(): Promise<boolean> {
    if (this.running < this.maxConcurrentHashes) {
      this.running++;
      return Promise.resolve(true);
    }
    if (this.queue.length >= this.maxQueued) return Promise.resolve(false);
    return new Promise((resolve) => this.queue.push(() => resolve(true)));
  }

  private release(): void {
    const next = this.queue.shift();
    if (next !== undefined) next();
    else this.running--;
  }
}
