/**
 * The YAML emitter against go-yaml v2: each expected text below is what the real `bosh int`
 * (bosh-cli v7.9.13, ../shared/peers/bin/bosh) printed for the input YAML beside it, captured
 * once and pasted here, so this unit test needs no child process. The input is read with our
 * parser first, as `bootstrap interpolate` does.
 */
import { describe, expect, it } from "vitest";
import { BootstrapError } from "../../src/common/index.js";
import { dumpYaml, parseYaml } from "../../src/manifest/index.js";
import { FieldOrder, marshalYaml } from "../../src/manifest/yaml-emit/index.js";
import { codePoints } from "../../src/manifest/yaml-emit/characters.js";
import { analyzeScalar, analyzeText } from "../../src/manifest/yaml-emit/scalar-analysis.js";

/** [what, input YAML, bytes `bosh int` printed for it] */
const FROM_BOSH_INT: [string, string, string][] = [
  ["plain strings stay plain", "a: hello world\nb: with-dash\nc: a:b\nd: a#b\ne: 1.2.3\nf: 10.0.0.1/24\n", "a: hello world\nb: with-dash\nc: a:b\nd: a#b\ne: 1.2.3\nf: 10.0.0.1/24\n"],
  ["YAML 1.1 bools, nulls and numbers as strings are double-quoted", "a: 'yes'\nb: 'No'\nc: 'on'\nd: 'OFF'\ne: 'y'\nf: 'N'\ng: 'true'\nh: 'null'\ni: '~'\nj: ''\nk: '12'\nl: '-3.5'\nm: '1e3'\nnn: '0x1F'\no: '0o17'\np: '0644'\nq: '08'\nr: '.5'\ns: '.inf'\nt: '1_000'\nu: '+1'\n", "a: \"yes\"\nb: \"No\"\nc: \"on\"\nd: \"OFF\"\ne: \"y\"\nf: \"N\"\ng: \"true\"\nh: \"null\"\ni: \"~\"\nj: \"\"\nk: \"12\"\nl: \"-3.5\"\nm: \"1e3\"\nnn: \"0x1F\"\no: \"0o17\"\np: \"0644\"\nq: \"08\"\nr: \".5\"\ns: \".inf\"\nt: \"1_000\"\nu: \"+1\"\n"],
  ["dates and base-60 numbers are double-quoted", "a: '2024-01-02'\nb: '2024-1-2'\nc: '2024-01-02T03:04:05Z'\nd: '2024-01-02 03:04:05'\ne: '2024-13-01'\nf: '2024-02-30'\ng: '1:30'\nh: '190:20:30.15'\ni: '1:60'\nj: '12:30:45'\n", "a: \"2024-01-02\"\nb: \"2024-1-2\"\nc: \"2024-01-02T03:04:05Z\"\nd: \"2024-01-02 03:04:05\"\ne: 2024-13-01\nf: 2024-02-30\ng: \"1:30\"\nh: \"190:20:30.15\"\ni: 1:60\nj: \"12:30:45\"\n"],
  ["indicators make strings single-quoted", "a: '*'\nb: '&x'\nc: '!x'\nd: '|x'\ne: '>x'\nf: '%x'\ng: '@x'\nh: '`x'\ni: '[x]'\nj: '{x}'\nk: 'key: value'\nl: 'ends:'\nm: 'a #b'\nnn: '- x'\no: '? x'\np: '#x'\nq: ',x'\nr: '--- x'\ns: '...'\nt: \"it's: x\"\nu: ' lead'\nv: 'trail '\nw: '-x'\nx: ':x'\n", "a: '*'\nb: '&x'\nc: '!x'\nd: '|x'\ne: '>x'\nf: '%x'\ng: '@x'\nh: '`x'\ni: '[x]'\nj: '{x}'\nk: 'key: value'\nl: 'ends:'\nm: 'a #b'\nnn: '- x'\no: '? x'\np: '#x'\nq: ',x'\nr: '--- x'\ns: '...'\nt: 'it''s: x'\nu: ' lead'\nv: 'trail '\nw: -x\nx: :x\n"],
  ["unprintable characters and backslashes", "a: \"tab\\there\"\nb: 'back\\\\slash'\nc: \"quote \\\" x\"\nd: \"bell\\a esc\\e del\\x7F nul\\0\"\ne: \"nel\\N ls\\L\"\nf: \"nbsp\\_x\"\ng: \"c1\\x90\"\nh: \"emoji 🚀\"\ni: \"bom\\uFEFFin\"\nj: \"\\uFEFFfirst\"\nk: héllo ☃ 日本\n", "a: \"tab\\there\"\nb: back\\\\slash\nc: quote \" x\nd: \"bell\\a esc\\e del\\x7F nul\\0\"\ne: \"nel\\N ls\\L\"\nf: nbsp x\ng: \"c1\\x90\"\nh: \"emoji \\U0001F680\"\ni: \"bom\\uFEFFin\"\nj: \"\\uFEFF\\x66\\x69\\x72\\x73\\x74\"\nk: héllo ☃ 日本\n"],
  ["multi-line strings use literal blocks", "clip: \"a\\nb\\n\"\nstrip: \"a\\nb\"\nkeep: \"a\\n\\n\"\nonly: \"\\n\"\nlead_space: \" a\\nb\\n\"\nlead_break: \"\\na\\n\"\ninner_blank: \"a\\n\\n\\nb\\n\"\nspace_before_break: \"a \\nb\\n\"\ntab: \"a\\tb\\nc\"\ncrlf: \"a\\r\\nb\"\nspace_after_break: \"a\\n b\\n\"\n", "clip: |\n  a\n  b\ncrlf: \"a\\r\\nb\"\ninner_blank: |\n  a\n\n\n  b\nkeep: |+\n  a\n\nlead_break: |2\n\n  a\nlead_space: |2\n   a\n  b\nonly: |2+\n\nspace_after_break: |\n  a\n   b\nspace_before_break: \"a \\nb\\n\"\nstrip: |-\n  a\n  b\ntab: \"a\\tb\\nc\"\n"],
  ["literal blocks indent with their parent", "a:\n  b:\n  - \"x\\ny\\n\"\n  - - \"p\\nq\"\n  - k: \"m\\nn\\n\"\n", "a:\n  b:\n  - |\n    x\n    y\n  - - |-\n      p\n      q\n  - k: |\n      m\n      n\n"],
  ["long plain strings fold past column 80", "k: the quick brown fox jumps over the lazy dog and keeps running far beyond the eightieth column of this line and then some more words to fold twice over\nnested:\n  deeper:\n  - the quick brown fox jumps over the lazy dog and keeps running far beyond the eightieth column\n", "k: the quick brown fox jumps over the lazy dog and keeps running far beyond the eightieth\n  column of this line and then some more words to fold twice over\nnested:\n  deeper:\n  - the quick brown fox jumps over the lazy dog and keeps running far beyond the eightieth\n    column\n"],
  ["long quoted strings fold too; strings without spaces never", "a: \"tab\\tthe quick brown fox jumps over the lazy dog and keeps running far beyond the eightieth column\"\nb: 'key: the quick brown fox jumps over the lazy dog and keeps running far beyond the eightieth column'\nc: aVeryLongTokenWithoutAnySpacesThatGoesOnAndOnPastTheEightiethColumnWithoutStoppingAnywhereAtAll0123\nd: \"1234567890 1234567890 1234567890 1234567890 1234567890 1234567890 1234567890  1234567890\"\ne: the quick brown fox jumps over the lazy dog and keeps running far beyond  the  eightieth  column  x\n", "a: \"tab\\tthe quick brown fox jumps over the lazy dog and keeps running far beyond\n  the eightieth column\"\nb: 'key: the quick brown fox jumps over the lazy dog and keeps running far beyond\n  the eightieth column'\nc: aVeryLongTokenWithoutAnySpacesThatGoesOnAndOnPastTheEightiethColumnWithoutStoppingAnywhereAtAll0123\nd: 1234567890 1234567890 1234567890 1234567890 1234567890 1234567890 1234567890  1234567890\ne: the quick brown fox jumps over the lazy dog and keeps running far beyond  the  eightieth  column  x\n"],
  ["numbers, bools and nulls", "int: 42\nneg: -17\nzero: 0\noctal: 0644\nhex: 0x1F\nbig: 9007199254740991\nfloat: 0.8\nexp: 1.5e-7\nbig_float: 1234567.5\ntiny: 0.00001\nsmall: 0.0001\nintegral_float: 3.0\nhundred_k: 123456.5\ninf: .inf\nninf: -.inf\nnan: .nan\nt: true\nf: off\nn1: ~\nn2: null\nn3:\n", "big: 9007199254740991\nbig_float: 1.2345675e+06\nexp: 1.5e-07\nf: false\nfloat: 0.8\nhex: 31\nhundred_k: 123456.5\ninf: .inf\nint: 42\nintegral_float: 3\nn1: null\nn2: null\nn3: null\nnan: .nan\nneg: -17\nninf: -.inf\noctal: 420\nsmall: 0.0001\nt: true\ntiny: 1e-05\nzero: 0\n"],
  ["keys sort naturally, quoted when needed", "z: 1\na: 2\nA: 3\n_u: 4\n'-d': 5\nk10: 6\nk9: 7\nk09: 8\nk1: 9\n'10': 10\n'9': 11\n'true': 12\n'': 13\n'a: b': 14\nä: 15\nb2c10: 16\nb2c9: 17\nv1.10: 18\nv1.9: 19\nx007: 20\nx07: 21\nx7: 22\n", "\"\": 13\n-d: 5\n_u: 4\n\"9\": 11\n\"10\": 10\nA: 3\na: 2\n'a: b': 14\nb2c9: 17\nb2c10: 16\nk1: 9\nk9: 7\nk09: 8\nk10: 6\n\"true\": 12\nv1.9: 19\nv1.10: 18\nx7: 22\nx07: 21\nx007: 20\nz: 1\nä: 15\n"],
  ["multi-line and long keys are explicit", "\"multi\\nline\": 1\n? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n: 2\nshort: 3\n", "? aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\n: 2\n? |-\n  multi\n  line\n: 1\nshort: 3\n"],
  ["collections: sequences under keys are not indented", "list:\n- a\n- b: c\n  d: [e]\n- - x\n  - - yy\n- []\n- {}\nempty_map: {}\nempty_list: []\nmap:\n  inner:\n    list: [1, 2]\n", "empty_list: []\nempty_map: {}\nlist:\n- a\n- b: c\n  d:\n  - e\n- - x\n  - - yy\n- []\n- {}\nmap:\n  inner:\n    list:\n    - 1\n    - 2\n"],
  ["a root scalar", "42\n", "42\n"],
  ["a root string", "hello\n", "hello\n"],
  ["a root list", "- a\n- b: [c]\n", "- a\n- b:\n  - c\n"],
  ["an empty document", "", "null\n"],
  ["a root empty map", "{}\n", "{}\n"],
];

describe("YAML output is go-yaml v2's (bosh int's) bytes", () => {
  it.each(FROM_BOSH_INT)("%s", (_what, input, expected) => {
    expect(dumpYaml(parseYaml(input, "in.yml"))).toBe(expected);
  });

  it("writes values that did not come from YAML the same way", () => {
    // bosh int prints these bytes for `a: 1.5e-7`, `b: 1e21`, `c: -0.5`, `d: ~`, `e: [~]`
    expect(marshalYaml({ a: 1.5e-7, b: 1e21, c: -0.5, d: undefined, e: [undefined] })).toBe("a: 1.5e-07\nb: 1e+21\nc: -0.5\nd: null\ne:\n- null\n");
  });

  it("keeps a FieldOrder map's keys in insertion order, as bosh-cli writes a certificate it just generated", () => {
    // bosh-cli's vars store after generating `v` (type certificate): certificate, private_key, ca
    const store = { b_password: "x", v: new FieldOrder({ certificate: "C\n", private_key: "K\n", ca: "A\n" }), a: { z: 1, c: 2 } };
    expect(marshalYaml(store)).toBe("a:\n  c: 2\n  z: 1\nb_password: x\nv:\n  certificate: |\n    C\n  private_key: |\n    K\n  ca: |\n    A\n");
  });

  it("refuses values YAML cannot hold, with a code", () => {
    expect(() => marshalYaml({ when: new Date(0) })).toThrow(BootstrapError);
    expect(() => marshalYaml({ bytes: new Uint8Array([1]) })).toThrow(/Cannot write a \[object Uint8Array\] value as YAML/);
  });
});

describe("a string's styles, judged without the per-character walk", () => {
  it("are what the walk over its code points finds, for every short string of the characters that decide them", () => {
    // Indicators, blanks and breaks, the characters the shortcut handles and some it leaves to the walk.
    const alphabet = [" ", "\n", ":", "#", "-", "?", ".", "a", "'", "*", "[", "\t", "\r", "é", "\u2028", "🚀"];
    let seed = 13;
    const next = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return Math.floor((seed / 2 ** 31) * n);
    };
    let shortcut = 0;
    for (let i = 0; i < 20_000; i++) {
      const text = Array.from({ length: next(9) }, () => alphabet[next(alphabet.length)]).join("");
      if (/^[\x20-\x7e\n]+$/.test(text)) shortcut++;
      expect(analyzeText(text), JSON.stringify(text)).toEqual(analyzeScalar(codePoints(text)));
    }
    // Most cases took the shortcut, so it is what was compared.
    expect(shortcut).toBeGreaterThan(3_000);
  });
});
