/** COPY's data formats (copy-data.ts): the text format's escapes and CSV's quoting, value by value (copy-into.int-spec.ts reads them back through PostgreSQL). */
import { copyText, csvField, csvLine, pgTextArray } from './copy-data';

/** What PostgreSQL's COPY text format makes of a field (the escapes copyText writes). */
function unescape(field: string): string {
  return field.replace(/\\([\\tnr])/g, (_, c: string) => ({ '\\': '\\', t: '\t', n: '\n', r: '\r' })[c]!);
}

describe('COPY text format', () => {
  it('escapes backslashes, tabs and line breaks, and nothing else', () => {
    expect(copyText('plain "quoted" {x}')).toBe('plain "quoted" {x}');
    expect(copyText('a\\b\tc\nd\re')).toBe('a\\\\b\\tc\\nd\\re');
    expect(unescape(copyText('\\N \\\\ \t\n\r'))).toBe('\\N \\\\ \t\n\r');
  });
});

describe('COPY csv encoding', () => {
  it('quotes every value, doubling quotes; NULL is an empty unquoted field; the empty string stays a value', () => {
    expect(csvField(null)).toBe('');
    expect(csvField('')).toBe('""');
    expect(csvField('say "hi", then\nleave\r\tnow\\')).toBe('"say ""hi"", then\nleave\r\tnow\\"');
    expect(csvField(12.5)).toBe('"12.5"');
    expect(csvField(1e21)).toBe('"1e+21"');
    expect(csvLine(['a', null, 3])).toBe('"a",,"3"\n');
  });

  it('writes text arrays as quoted array literals, escaping backslashes and quotes inside elements', () => {
    expect(pgTextArray([])).toBe('{}');
    expect(pgTextArray(['a', 'b c', 'x,y', '{z}', 'q"uote', 'back\\slash', 'NULL'])).toBe('{"a","b c","x,y","{z}","q\\"uote","back\\\\slash","NULL"}');
    // Then CSV-quoted like any other value.
    expect(csvField(['q"'])).toBe('"{""q\\""""}"');
  });
});
