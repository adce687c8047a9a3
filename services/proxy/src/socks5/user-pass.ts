/**
 * Username/password sub-negotiation (RFC 1929): VER ULEN UNAME PLEN PASSWD and the VER STATUS
 * response. Names and passwords are UTF-8; invalid UTF-8 is refused rather than decoded lossily,
 * which would let different byte strings compare equal to the same password.
 */
import { USERPASS_VERSION, UserPassStatus } from './constants';
import { INCOMPLETE, parseError, SocksErrorCode, type ParseResult } from './parse-result';
import { decodeStrictUtf8 } from './utf8';

export interface UserPassCredentials {
  username: string;
  password: string;
}

/**
 * Parses VER ULEN UNAME PLEN PASSWD. Empty names and passwords parse (authentication fails them
 * later); a VER other than 1 or invalid UTF-8 is rejected with a failure status as the reply.
 */
export function parseUserPass(buf: Buffer): ParseResult<UserPassCredentials> {
  const len = buf.length;
  if (len < 1) return INCOMPLETE;
  const ver = buf[0]!;
  if (ver !== USERPASS_VERSION) {
    return parseError(
      SocksErrorCode.UserPassVersion,
      `unsupported username/password sub-negotiation version ${ver}`,
      encodeUserPassStatus(false),
    );
  }
  if (len < 2) return INCOMPLETE;
  const ulen = buf[1]!;
  const plenAt = 2 + ulen;
  if (len <= plenAt) return INCOMPLETE;
  const end = plenAt + 1 + buf[plenAt]!;
  if (len < end) return INCOMPLETE;
  const username = decodeStrictUtf8(buf, 2, plenAt);
  const password = decodeStrictUtf8(buf, plenAt + 1, end);
  if (username === undefined || password === undefined) {
    return parseError(
      SocksErrorCode.UserPassEncoding,
      `${username === undefined ? 'username' : 'password'} is not valid UTF-8`,
      encodeUserPassStatus(false),
    );
  }
  return { status: 'ok', value: { username, password }, consumed: end };
}

/** VER STATUS: [1, 0] on success, [1, 1] on failure (the server then closes). */
export function encodeUserPassStatus(ok: boolean): Buffer {
  const out = Buffer.allocUnsafe(2);
  out[0] = USERPASS_VERSION;
  out[1] = ok ? UserPassStatus.Success : UserPassStatus.Failure;
  return out;
}
