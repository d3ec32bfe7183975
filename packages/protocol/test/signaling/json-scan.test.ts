import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { isJsonText, JSON_SCAN_MAX_DEPTH, scanJsonValue } from '../../src/index.js';

function parses(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** Characters that matter to JSON's grammar, plus a few that never may appear raw. */
const JSONISH = fc.constantFrom(
  ...'{}[],:"\\/ \n\t\r0123456789-+.eEtrufalsnbx'.split(''),
  '\u0000',
  '\u001f',
  '\u00e9',
  '\ud800',
  '\\u00e9',
  '\\uD83D\\uDE00',
  '\\u12g4',
  'true',
  'false',
  'null',
  '""',
);

describe('json scan', () => {
  it('accepts every JSON text JSON.stringify produces, compact or indented', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 6 }), (v) => {
        assert.equal(isJsonText(JSON.stringify(v)), true);
        assert.equal(isJsonText(JSON.stringify(v, null, 2)), true);
      }),
      { numRuns: 500 },
    );
  });

  it('agrees with JSON.parse on arbitrary JSON-like text', () => {
    fc.assert(
      fc.property(fc.array(JSONISH, { maxLength: 30 }), (parts) => {
        const text = parts.join('');
        assert.equal(isJsonText(text), parses(text), text);
      }),
      { numRuns: 5_000 },
    );
  });

  it('agrees with JSON.parse on valid text with one character inserted, removed or replaced', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }),
        fc.nat(),
        JSONISH,
        fc.constantFrom(0, 1, 2),
        (v, at, ch, op) => {
          const t = JSON.stringify(v);
          const i = at % (t.length + 1);
          const text =
            op === 0
              ? t.slice(0, i) + ch + t.slice(i)
              : op === 1
                ? t.slice(0, i) + t.slice(i + 1)
                : t.slice(0, i) + ch + t.slice(i + 1);
          assert.equal(isJsonText(text), parses(text), text);
        },
      ),
      { numRuns: 5_000 },
    );
  });

  it('rejects the classic near-misses JSON.parse rejects', () => {
    const bad = [
      '',
      ' ',
      '01',
      '-',
      '1.',
      '.5',
      '1e',
      '1e+',
      '+1',
      '"\\x"',
      '"\\u12"',
      '"a\nb"',
      '[1,]',
      '{"a":1,}',
      '{a:1}',
      "'a'",
      'nul',
      'truee',
      '[1 2]',
      '{"a" 1}',
      '"abc',
      '[',
      '{"a":}',
      'NaN',
      '-01',
    ];
    for (const t of bad) assert.equal(isJsonText(t), false, t);
    const good = [
      '0',
      '-0',
      '1.5e-3',
      '1E+2',
      '"\\ud800"',
      '"\ud800"',
      ' {"a" : [ ] } ',
      '[[],{}]',
      '"\\/\\b\\f\\n\\r\\t\\"\\\\"',
    ];
    for (const t of good) assert.equal(isJsonText(t), true, t);
  });

  it('scans a value inside a larger text and reports where it ends', () => {
    const t = 'xx{"a":[1,"}"]},"dst"';
    assert.equal(scanJsonValue(t, 2, t.length), 15);
    assert.equal(scanJsonValue(t, 2, 14), -1);
  });

  it('declines (never wrongly accepts) nesting deeper than its limit', () => {
    // n brackets nest n - 1 open containers around the innermost (empty) one.
    const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
    assert.equal(isJsonText(deep(JSON_SCAN_MAX_DEPTH + 1)), true);
    assert.equal(isJsonText(deep(JSON_SCAN_MAX_DEPTH + 2)), false);
    assert.equal(parses(deep(JSON_SCAN_MAX_DEPTH + 2)), true);
  });
});
