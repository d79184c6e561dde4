// The JS half of ordo-wasm's wire codec (wasm/src/wire): plain JS values <-> one compact string.
//
// Crossing the wasm boundary once per call with one string is much cheaper than one import call
// per field (serde-wasm-bindgen). The format is self-describing and knows nothing of Ordo's types:
//   u undefined · n null · t true · f false · i<int>; a safe integer or bigint · d any other number
//   s<len>;<text> a string (len in UTF-16 code units) · x anything else (function, symbol)
//   [ values ] an array · { (key value)* } an object
// Keys read by `encode`'s consumer are strings (s…). Keys written by Rust are numbered: K<len>;<name>
// defines the next key number (kept for the module's lifetime), k<n>; reuses one.

const MAX_DEPTH = 64;

/** A JS value as one string for the Rust reader; throws a RangeError for values nested too deeply. */
export function encode(value) {
  return enc(value, 0);
}

function enc(v, depth) {
  switch (typeof v) {
    case "string":
      return "s" + v.length + ";" + v;
    case "number":
      return Number.isSafeInteger(v) ? "i" + v + ";" : "d";
    case "boolean":
      return v ? "t" : "f";
    case "undefined":
      return "u";
    case "bigint":
      return "i" + v + ";";
    case "object": {
      if (v === null) return "n";
      if (depth > MAX_DEPTH) throw new RangeError("the value is nested too deeply");
      if (Array.isArray(v)) {
        let out = "[";
        for (let i = 0; i < v.length; i++) out += enc(v[i], depth + 1);
        return out + "]";
      }
      let out = "{";
      const keys = Object.keys(v);
      for (let i = 0; i < keys.length; i++) {
        const k = keys[i];
        out += "s" + k.length + ";" + k + enc(v[k], depth + 1);
      }
      return out + "}";
    }
    default:
      return "x";
  }
}

const keys = [];
let text = "";
let at = 0;

/** The JS value the Rust writer described in `source`. */
export function decode(source) {
  text = source;
  at = 0;
  const value = val();
  text = "";
  return value;
}

function int() {
  let c = text.charCodeAt(at);
  const negative = c === 45;
  if (negative) at++;
  let n = 0;
  while ((c = text.charCodeAt(at++)) !== 59) n = n * 10 + (c - 48);
  return negative ? -n : n;
}

function val() {
  switch (text.charCodeAt(at++)) {
    case 105: // i
      return int();
    case 115: { // s
      const n = int();
      const s = text.slice(at, at + n);
      at += n;
      return s;
    }
    case 123: { // {
      const o = {};
      while (text.charCodeAt(at) !== 125) {
        const k = key();
        o[k] = val();
      }
      at++;
      return o;
    }
    case 91: { // [
      const a = [];
      while (text.charCodeAt(at) !== 93) a.push(val());
      at++;
      return a;
    }
    case 116: // t
      return true;
    case 102: // f
      return false;
    default: // n
      return null;
  }
}

function key() {
  const c = text.charCodeAt(at++);
  const n = int();
  if (c === 107) return keys[n]; // k
  const k = text.slice(at, at + n);
  at += n;
  keys.push(k);
  return k;
}
