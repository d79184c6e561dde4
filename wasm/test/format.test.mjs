// Property tests of the codec's JS half (wasm/wire/src/codec.js) against wasm/wire/FORMAT.md: random JS values
// encoded by `encode` read back exactly through a reader written from the format, and words written
// from the format decode into exactly the values they describe. (The Rust halves are held to the
// same format by wasm/wire/tests/round_trip.rs, so together a value crosses both ways unchanged.)
// Seeded: a failure prints its seed; ORDO_SEED=<n> replays it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decode, encode } from "../wire/src/codec.js";

const CASES = 2000;
const baseSeed = Number(process.env.ORDO_SEED ?? Date.now() % 1e9);

/** mulberry32: a small seeded generator. */
function random(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n) => Math.floor(next() * n);
  const pick = (list) => list[int(list.length)];
  return { next, int, pick };
}

const SAMPLES = ["", "EUR", "SKU-1", "é", "🎁", "抹茶ラテ", "tab\t\"q\"\\", "a\u0000b", "👨‍👩‍👧", "x".repeat(200), "ü".repeat(90)];
const KEYS = ["sku", "quantity", "a", "ü", "🎁", "", "__proto__", "constructor", "0", "lines"];

function text(r) {
  if (r.next() < 0.6) return r.pick(SAMPLES);
  const n = r.int(20);
  let s = "";
  for (let i = 0; i < n; i++) {
    const c = r.int(4);
    s += c === 0 ? String.fromCharCode(32 + r.int(95))
      : c === 1 ? String.fromCharCode(0x80 + r.int(0x780))
      : c === 2 ? String.fromCodePoint(0x10000 + r.int(0x1000))
      : String.fromCharCode(0x3000 + r.int(0x1000));
  }
  return s;
}

function integer(r) {
  switch (r.int(4)) {
    case 0: return r.int(256) - 128;
    case 1: return r.int(2 ** 29) * (r.next() < 0.5 ? -1 : 1);
    case 2: return Math.floor(r.next() * Number.MAX_SAFE_INTEGER) * (r.next() < 0.5 ? -1 : 1);
    default: return r.pick([0, 127, 128, 2 ** 29 - 1, 2 ** 29, 2 ** 32, Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER]);
  }
}

/** A JS value an argument may hold; `extra` adds what only arguments hold (undefined, floats, bigints, functions). */
function value(r, depth, extra) {
  const kinds = depth > 4 ? 5 : 7;
  switch (r.int(extra ? kinds + 1 : kinds)) {
    case 0: return null;
    case 1: return r.next() < 0.5;
    case 2:
    case 3: return integer(r);
    case 4: return text(r);
    case 5: return Array.from({ length: r.int(6) }, () => value(r, depth + 1, extra));
    case 6: {
      const o = {};
      for (let i = r.int(6); i > 0; i--) {
        const k = r.next() < 0.8 ? r.pick(KEYS) : text(r);
        // An own enumerable `__proto__` key, as JSON.parse makes it.
        Object.defineProperty(o, k, { value: value(r, depth + 1, extra), enumerable: true, writable: true, configurable: true });
      }
      return o;
    }
    default:
      return r.pick([undefined, 0.5, -1e300, NaN, Infinity, 2 ** 53, 12n, -(2n ** 70n), 2n ** 64n - 1n, () => 1, Symbol("s")]);
  }
}

// ---- A reader of `encode`'s bytes, written from FORMAT.md ("Into Rust").

const FLOAT = Symbol("a number that is not a safe integer");
const OTHER = Symbol("a function or symbol");
const utf8 = new TextDecoder("utf-8", { fatal: true });

function readEncoded(bytes) {
  const length = bytes[0] | (bytes[1] << 8) | (bytes[2] << 16) | (bytes[3] << 24);
  const structure = bytes.subarray(4, 4 + length);
  const textBytes = bytes.subarray(4 + length);
  let at = 0;
  let from = 0;
  const keys = [];
  const leb = () => {
    let n = 0n;
    let shift = 0n;
    for (;;) {
      const b = structure[at++];
      n |= BigInt(b & 127) << shift;
      shift += 7n;
      if (b < 128) return n;
    }
  };
  const str = () => {
    const n = Number(leb());
    const s = utf8.decode(textBytes.subarray(from, from + n));
    from += n;
    return s;
  };
  const key = () => {
    const tag = String.fromCharCode(structure[at++]);
    if (tag === "s") return str();
    if (tag === "K") {
      const k = str();
      keys.push(k);
      return k;
    }
    assert.equal(tag, "k");
    return keys[Number(leb())];
  };
  const read = () => {
    const tag = String.fromCharCode(structure[at++]);
    switch (tag) {
      case "u": return undefined;
      case "n": return null;
      case "t": return true;
      case "f": return false;
      case "d": return FLOAT;
      case "x": return OTHER;
      case "+": return leb();
      case "-": return -leb();
      case "s": return str();
      case "[": {
        const n = Number(leb());
        const a = [];
        while (structure[at] !== "]".charCodeAt(0)) a.push(read());
        at++;
        assert.equal(a.length, n, "an array's length");
        return a;
      }
      case "{": {
        const entries = [];
        while (structure[at] !== "}".charCodeAt(0)) entries.push([key(), read()]);
        at++;
        return { entries };
      }
      default: throw new Error(`unknown tag ${tag}`);
    }
  };
  const v = read();
  assert.equal(at, structure.length, "structure left over");
  assert.equal(from, textBytes.length, "text left over");
  return v;
}

/** What `readEncoded` must give for `v`: integers as bigints, objects as their own entries in order. */
function asRead(v) {
  if (typeof v === "number") return Number.isSafeInteger(v) ? BigInt(v) : FLOAT;
  if (typeof v === "bigint") return v;
  if (typeof v === "function" || typeof v === "symbol") return OTHER;
  if (Array.isArray(v)) return v.map(asRead);
  if (v !== null && typeof v === "object") return { entries: Object.keys(v).map((k) => [k, asRead(v[k])]) };
  // A lone surrogate is sent as U+FFFD, as TextEncoder does.
  if (typeof v === "string") return v.toWellFormed();
  return v;
}

test("any JS value encoded by codec.js reads back exactly by the format", () => {
  for (let i = 0; i < CASES; i++) {
    const seed = baseSeed + i;
    const v = value(random(seed), 0, true);
    assert.deepStrictEqual(readEncoded(encode(v)), asRead(v), `seed ${seed}`);
  }
});

test("a string with a lone surrogate is encoded as U+FFFD", () => {
  assert.deepStrictEqual(readEncoded(encode(["a\ud800", "\udc00b"])), ["a\ufffd", "\ufffdb"]);
});

// ---- A writer of words and text, written from FORMAT.md ("Out of Rust"), numbering shapes after
// those this process's codec.js has already learnt.

let shapesKnown = 0;
const shapeNumbers = new Map();

function writeWords(v, r) {
  const newShapes = [];
  let newNames = "";
  const words = [];
  let text = "";
  const strings = [];
  const word = (kind, payload) => words.push(((payload << 3) | kind) >>> 0);
  const write = (v) => {
    if (v === null) return word(0, 0);
    if (v === false) return word(0, 1);
    if (v === true) return word(0, 2);
    if (typeof v === "number") {
      const m = Math.abs(v);
      if (m < 2 ** 29 && !Object.is(v, -0)) return word(v < 0 ? 2 : 1, m);
      word(3, v < 0 ? 1 : 0);
      words.push(m % 2 ** 32, Math.floor(m / 2 ** 32));
      return;
    }
    if (typeof v === "string") {
      const again = strings.indexOf(v);
      // Either form is valid for a string sent before; the writer picks at random.
      if (again >= 0 && r.next() < 0.5) return word(7, again);
      strings.push(v);
      text += v;
      return word(4, v.length);
    }
    if (Array.isArray(v)) {
      word(6, v.length);
      v.forEach(write);
      return;
    }
    const names = Object.keys(v);
    const id = JSON.stringify(names);
    let number = shapeNumbers.get(id);
    if (number === undefined) {
      number = shapesKnown++;
      shapeNumbers.set(id, number);
      newShapes.push(names.length, ...names.map((n) => n.length));
      newNames += names.join("");
    }
    word(5, number);
    names.forEach((n) => write(v[n]));
  };
  write(v);
  return { words: new Uint32Array([newShapes.length, ...newShapes, ...words]), text: newNames + text };
}

/** A value a result may hold: no undefined, floats, bigints or functions; well-formed strings. */
function resultValue(r) {
  const v = value(r, 0, false);
  return JSON.parse(JSON.stringify(v, (_, x) => (typeof x === "string" ? x.toWellFormed() : x)));
}

test("any words written by the format decode into exactly the value they describe", () => {
  for (let i = 0; i < CASES; i++) {
    const seed = baseSeed + CASES + i;
    const r = random(seed);
    const v = resultValue(r);
    const { words, text } = writeWords(v, r);
    const decoded = decode(words, text);
    assert.deepStrictEqual(decoded, v, `seed ${seed}`);
    for (const o of objects(decoded)) assert.equal(Object.getPrototypeOf(o), Object.prototype, `seed ${seed}`);
    // The same value again: its shapes are known now, and built by their generated literals.
    assert.deepStrictEqual(decode(...Object.values(writeWords(v, r))), v, `seed ${seed}, shapes known`);
  }
});

function* objects(v) {
  if (Array.isArray(v)) for (const x of v) yield* objects(x);
  else if (v !== null && typeof v === "object") {
    yield v;
    for (const k of Object.keys(v)) yield* objects(v[k]);
  }
}
