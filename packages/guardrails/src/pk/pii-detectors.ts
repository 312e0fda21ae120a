import { type Detector, patternDetector } from './text-finding.js';

/** The categories `pk.pii` knows. */
export const PII_CATEGORIES = ['email', 'phone', 'card', 'iban', 'us_ssn', 'ip'] as const;
export type PiiCategory = (typeof PII_CATEGORIES)[number];

/** Luhn checksum over the digits of a candidate card number. */
export function passesLuhn(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index -= 1) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** ISO 13616 check: move the first four characters to the end, letters to numbers, mod 97 = 1. */
export function passesIbanChecksum(compact: string): boolean {
  const rearranged = compact.slice(4) + compact.slice(0, 4);
  let remainder = 0;
  for (const char of rearranged) {
    const code = char.charCodeAt(0);
    const value = code >= 65 ? String(code - 55) : char;
    for (const digit of value) remainder = (remainder * 10 + (digit.charCodeAt(0) - 48)) % 97;
  }
  return remainder === 1;
}

/** The longest prefix of an IBAN candidate (spaces allowed) whose checksum holds, as a length. */
function ibanLength(candidate: string): number {
  const positions: number[] = [];
  let compact = '';
  for (let index = 0; index < candidate.length; index += 1) {
    if (candidate[index] === ' ') continue;
    compact += candidate[index];
    positions.push(index + 1);
  }
  for (let length = Math.min(compact.length, 34); length >= 15; length -= 1) {
    if (passesIbanChecksum(compact.slice(0, length))) return positions[length - 1] ?? 0;
  }
  return 0;
}

function isIpv6(candidate: string): boolean {
  if (!/[0-9A-Fa-f]/.test(candidate) || (candidate.match(/:/g)?.length ?? 0) < 2) return false;
  try {
    return new URL(`http://[${candidate}]/`).hostname.length > 2;
  } catch {
    return false;
  }
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';

/** One detector per category. */
export const PII_DETECTORS: Readonly<Record<PiiCategory, readonly Detector[]>> = {
  email: [
    patternDetector(
      'email',
      /(?<![\w.%+-])[\w.%+-]{1,64}@(?:[A-Za-z0-9-]{1,63}\.){1,8}[A-Za-z]{2,24}(?![\w-])/g,
    ),
  ],
  phone: [
    // International, with a leading +: 8 to 15 digits in groups.
    patternDetector(
      'phone',
      /(?<![\w+])\+\d{1,3}[ .-]?(?:\(\d{1,4}\)[ .-]?)?\d{1,4}(?:[ .-]?\d{2,4}){1,4}(?![\w])/g,
      (match) => {
        const digits = match.replace(/\D/g, '').length;
        return digits >= 8 && digits <= 15;
      },
    ),
    // North American: (555) 123-4567, 555-123-4567, 555.123.4567, 555 123 4567.
    patternDetector('phone', /(?<![\w+(])(?:\(\d{3}\)[ .-]?|\d{3}[ .-])\d{3}[ .-]\d{4}(?![\w])/g),
  ],
  card: [
    patternDetector('card', /(?<![\d-])(?:\d[ -]?){12,18}\d(?!\d)/g, (match) =>
      passesLuhn(match.replace(/\D/g, '')),
    ),
  ],
  iban: [
    patternDetector('iban', /(?<![A-Za-z0-9])[A-Z]{2}\d{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])/g, ibanLength),
  ],
  us_ssn: [
    patternDetector('us_ssn', /(?<![\d-])(?!000|666|9\d\d)\d{3}([- ])(?!00)\d{2}\1(?!0000)\d{4}(?![\d-])/g),
  ],
  ip: [
    patternDetector('ip', new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?!\\.?\\d)`, 'g')),
    patternDetector(
      'ip',
      /(?<![\w:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![\w:])/g,
      isIpv6,
    ),
  ],
};
