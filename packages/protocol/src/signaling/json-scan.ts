/**
 * A JSON validator that scans text without building anything: no objects, no strings, no closures.
 * It answers exactly what `JSON.parse` would answer about a value's syntax (RFC 8259: the four
 * whitespace characters, literals, numbers, strings with their escapes and no raw control
 * characters), so the broker can vouch for a payload it copies instead of parsing it.
 */

const TAB = 9;
const LF = 10;
const CR = 13;
const SPACE = 32;
const QUOTE = 34;
const PLUS = 43;
const COMMA = 44;
const MINUS = 45;
const DOT = 46;
const SLASH = 47;
const ZERO = 48;
const NINE = 57;
const COLON = 58;
const UPPER_A = 65;
const UPPER_E = 69;
const UPPER_F = 70;
const OPEN_BRACKET = 91;
const BACKSLASH = 92;
const CLOSE_BRACKET = 93;
const LOWER_A = 97;
const LOWER_B = 98;
const LOWER_E = 101;
const LOWER_F = 102;
const LOWER_N = 110;
const LOWER_R = 114;
const LOWER_T = 116;
const LOWER_U = 117;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;

/**
 * Deepest nesting the scanner follows. Signaling payloads nest 3–4 levels; deeper text is not
 * rejected by this limit, the scanner just declines (answers -1) and callers fall back to JSON.parse.
 */
export const JSON_SCAN_MAX_DEPTH = 64;

const IN_OBJECT = 1;
const IN_ARRAY = 2;
/** Open containers, innermost last; shared (the scanner is synchronous and never re-entered). */
const stack = new Uint8Array(JSON_SCAN_MAX_DEPTH);

function skipWhitespace(t: string, i: number, end: number): number {
  while (i < end) {
    const c = t.charCodeAt(i);
    if (c !== SPACE && c !== LF && c !== CR && c !== TAB) break;
    i++;
  }
  return i;
}

function isHex(c: number): boolean {
  return (c >= ZERO && c <= NINE) || (c >= UPPER_A && c <= UPPER_F) || (c >= LOWER_A && c <= LOWER_F);
}

/**
 * A run of string characters that need no attention (not a quote, backslash or control character),
 * skipped by the regexp engine: far faster than a charCodeAt loop over SDP-length strings.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: JSON strings may not hold raw control characters; the run stops at them.
const PLAIN_RUN = /[^"\\\u0000-\u001f]*/y;

/** `i` is at an opening quote; returns the index after the closing quote, or -1. */
function scanString(t: string, i: number, end: number): number {
  i++;
  while (i < end) {
    PLAIN_RUN.lastIndex = i;
    PLAIN_RUN.test(t);
    i = PLAIN_RUN.lastIndex;
    if (i >= end) return -1;
    const c = t.charCodeAt(i);
    if (c === QUOTE) return i + 1;
    if (c < SPACE) return -1;
    if (c === BACKSLASH) {
      if (i + 1 >= end) return -1;
      const e = t.charCodeAt(i + 1);
      if (e === LOWER_U) {
        if (i + 5 >= end) return -1;
        if (
          !isHex(t.charCodeAt(i + 2)) ||
          !isHex(t.charCodeAt(i + 3)) ||
          !isHex(t.charCodeAt(i + 4)) ||
          !isHex(t.charCodeAt(i + 5))
        )
          return -1;
        i += 6;
        continue;
      }
      if (
        e !== QUOTE &&
        e !== BACKSLASH &&
        e !== SLASH &&
        e !== LOWER_B &&
        e !== LOWER_F &&
        e !== LOWER_N &&
        e !== LOWER_R &&
        e !== LOWER_T
      )
        return -1;
      i += 2;
      continue;
    }
    i++;
  }
  return -1;
}

function scanDigits(t: string, i: number, end: number): number {
  while (i < end) {
    const c = t.charCodeAt(i);
    if (c < ZERO || c > NINE) break;
    i++;
  }
  return i;
}

/** `i` is at '-' or a digit; returns the index after the number, or -1. */
function scanNumber(t: string, i: number, end: number): number {
  if (t.charCodeAt(i) === MINUS) i++;
  if (i >= end) return -1;
  const first = t.charCodeAt(i);
  if (first === ZERO) i++;
  else if (first > ZERO && first <= NINE) i = scanDigits(t, i + 1, end);
  else return -1;
  if (i < end && t.charCodeAt(i) === DOT) {
    const j = scanDigits(t, i + 1, end);
    if (j === i + 1) return -1;
    i = j;
  }
  if (i < end) {
    const c = t.charCodeAt(i);
    if (c === LOWER_E || c === UPPER_E) {
      i++;
      if (i < end) {
        const s = t.charCodeAt(i);
        if (s === PLUS || s === MINUS) i++;
      }
      const j = scanDigits(t, i, end);
      if (j === i) return -1;
      i = j;
    }
  }
  return i;
}

function scanLiteral(t: string, i: number, end: number, word: string): number {
  return i + word.length <= end && t.startsWith(word, i) ? i + word.length : -1;
}

/**
 * Scans one JSON value starting at `i` (no leading whitespace) within text[.., end). Returns the
 * index just after it, or -1 when the text there is not a JSON value (or nests deeper than
 * JSON_SCAN_MAX_DEPTH).
 */
export function scanJsonValue(t: string, i: number, end: number): number {
  let depth = 0;
  for (;;) {
    // A value starts at i.
    if (i >= end) return -1;
    const c = t.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      const close = c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET;
      const j = skipWhitespace(t, i + 1, end);
      if (j < end && t.charCodeAt(j) === close) {
        i = j + 1;
      } else {
        if (depth === JSON_SCAN_MAX_DEPTH) return -1;
        stack[depth++] = c === OPEN_BRACE ? IN_OBJECT : IN_ARRAY;
        i = j;
        if (c === OPEN_BRACE) {
          i = scanMember(t, i, end);
          if (i < 0) return -1;
        }
        continue;
      }
    } else if (c === QUOTE) i = scanString(t, i, end);
    else if (c === MINUS || (c >= ZERO && c <= NINE)) i = scanNumber(t, i, end);
    else if (c === LOWER_T) i = scanLiteral(t, i, end, 'true');
    else if (c === LOWER_F) i = scanLiteral(t, i, end, 'false');
    else if (c === LOWER_N) i = scanLiteral(t, i, end, 'null');
    else return -1;
    if (i < 0) return -1;
    // After a value: close containers, or move on to the next element.
    for (;;) {
      if (depth === 0) return i;
      i = skipWhitespace(t, i, end);
      if (i >= end) return -1;
      const d = t.charCodeAt(i);
      const top = stack[depth - 1];
      if (d === COMMA) {
        i = skipWhitespace(t, i + 1, end);
        if (top === IN_OBJECT) {
          i = scanMember(t, i, end);
          if (i < 0) return -1;
        }
        break;
      }
      if ((d === CLOSE_BRACE && top === IN_OBJECT) || (d === CLOSE_BRACKET && top === IN_ARRAY)) {
        depth--;
        i++;
        continue;
      }
      return -1;
    }
  }
}

/** `i` is where an object key should start; returns where its value starts, or -1. */
function scanMember(t: string, i: number, end: number): number {
  if (i >= end || t.charCodeAt(i) !== QUOTE) return -1;
  i = scanString(t, i, end);
  if (i < 0) return -1;
  i = skipWhitespace(t, i, end);
  if (i >= end || t.charCodeAt(i) !== COLON) return -1;
  return skipWhitespace(t, i + 1, end);
}

/**
 * True when text[start, end) is exactly one JSON value with optional surrounding whitespace, as
 * JSON.parse would accept it. False also when it nests deeper than JSON_SCAN_MAX_DEPTH.
 */
export function isJsonText(t: string, start = 0, end = t.length): boolean {
  const i = scanJsonValue(t, skipWhitespace(t, start, end), end);
  return i >= 0 && skipWhitespace(t, i, end) === end;
}
