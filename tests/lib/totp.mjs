// Time-based one-time codes computed the way an authenticator app does
// (RFC 6238 over RFC 4226: HMAC-SHA1, 30-second steps, 6 digits), so the
// suites sign in with real codes and never with a clock mocked in the server.
import crypto from 'node:crypto';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** The bytes of an RFC 4648 base32 string (spaces and case ignored). */
export function base32Decode(text) {
  const clean = text.replace(/[\s=-]/g, '').toUpperCase();
  let bits = 0;
  let value = 0;
  const out = [];
  for (const ch of clean) {
    const i = ALPHABET.indexOf(ch);
    if (i < 0) throw new Error(`not base32: ${JSON.stringify(text)}`);
    value = (value << 5) | i;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Buffer.from(out);
}

/** HOTP of counter under key (a Buffer), as a zero-padded string of `digits`. */
export function hotp(key, counter, digits = 6) {
  const msg = Buffer.alloc(8);
  msg.writeBigUInt64BE(BigInt(counter));
  const mac = crypto.createHmac('sha1', key).update(msg).digest();
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = mac.readUInt32BE(offset) & 0x7fffffff;
  return String(binary % 10 ** digits).padStart(digits, '0');
}

/** The 30-second step of a time in milliseconds (now by default). */
export function stepAt(ms = Date.now()) {
  return Math.floor(ms / 1000 / 30);
}

/** The code for a base32 secret at a step (the current one by default). */
export function totp(secret, step = stepAt()) {
  return hotp(base32Decode(secret), step);
}
