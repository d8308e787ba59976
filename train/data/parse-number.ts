/**
 * Decimal numbers straight from bytes, without building strings: the hot path of every
 * text reader. Accepts [+-]digits[.digits][(e|E)[+-]digits]; anything else is NaN.
 */

const ZERO = 48;
const NINE = 57;
const PLUS = 43;
const MINUS = 45;
const DOT = 46;

/** Parses buf[start..end) as a decimal number; NaN when it is not one (empty included). */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  let p = start;
  let negative = false;
  if (p < end && (buf[p] === MINUS || buf[p] === PLUS)) {
    negative = buf[p] === MINUS;
    p++;
  }
  let value = 0;
  let digits = 0;
  while (p < end) {
    const c = buf[p]!;
    if (c < ZERO || c > NINE) break;
    value = value * 10 + (c - ZERO);
    digits++;
    p++;
  }
  if (p < end && buf[p] === DOT) {
    p++;
    let scale = 1;
    let fraction = 0;
    while (p < end) {
      const c = buf[p]!;
      if (c < ZERO || c > NINE) break;
      fraction = fraction * 10 + (c - ZERO);
      scale *= 10;
      digits++;
      p++;
    }
    value += fraction / scale;
  }
  if (digits === 0) return NaN;
  if (p < end && (buf[p] === 101 || buf[p] === 69)) {
    p++;
    let expNegative = false;
    if (p < end && (buf[p] === MINUS || buf[p] === PLUS)) {
      expNegative = buf[p] === MINUS;
      p++;
    }
    let exp = 0;
    let expDigits = 0;
    while (p < end) {
      const c = buf[p]!;
      if (c < ZERO || c > NINE) break;
      exp = exp * 10 + (c - ZERO);
      expDigits++;
      p++;
    }
    if (expDigits === 0) return NaN;
    value *= 10 ** (expNegative ? -exp : exp);
  }
  if (p !== end) return NaN;
  return negative ? -value : value;
}
