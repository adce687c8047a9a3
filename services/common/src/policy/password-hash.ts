/**
 * `spec.password.hash` must be a hash the password module can verify:
 * `$scrypt$ln=<int>,r=<int>,p=<int>$<base64 salt>$<base64 hash>` with sane parameters. The
 * format and its limits are owned by password/scrypt-hash; parsing is cheap (no key derivation).
 */
import { parseScryptHash } from '../password/scrypt-hash';

/** Returns an error message, or undefined when `s` is a usable scrypt hash. */
export function checkPasswordHash(s: string): string | undefined {
  const r = parseScryptHash(s);
  return typeof r === 'string' ? `is not a valid password hash: ${r}` : undefined;
}
