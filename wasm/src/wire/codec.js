// The JS half of ordo-wasm's wire codec (wasm/src/wire): plain JS values <-> what Rust reads and writes.
//
// Crossing the wasm boundary once per call is much cheaper than one import call per field
// (serde-wasm-bindgen). Both directions are self-describing and know nothing of Ordo's types.
//
// Into Rust (`encode`), one string:
//   u undefined · n null · t true · f false · i<int>; a safe integer or bigint · d any other number
//   s<len>;<text> a string (len in UTF-16 code units) · x anything else (function, symbol)
//   [ values ] an array · { (s-key value)* } an object
//
// Out of Rust (`decode`), words (a Uint32Array view of wasm memory) and one text holding every string
// back to back. Each word is kind (low 3 bits) + payload (the other 29); no digit is parsed:
//   0 constant: payload 0 null · 1 false · 2 true · 3 [ · 4 { · 5 end of the array or object
//   1 the whole number payload · 2 minus payload · 3 a larger safe integer: payload 1 when negative,
//     then two words (low and high 32 bits of its magnitude)
//   4 a string of payload UTF-16 units, the next ones of the text
//   5 a field name by number · 6 a new field name (payload units of the text), numbered next
// Names are numbered once for the module's lifetime (Rust keeps the same list).

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
const END = 5 << 3;
let words = null;
let text = "";
let at = 0; // next word
let from = 0; // next unit of `text`

/** The JS value the Rust writer described in `source` (words) and `strings` (their text). */
export function decode(source, strings) {
  words = source;
  text = strings;
  at = 0;
  from = 0;
  const value = val();
  words = null;
  text = "";
  return value;
}

function str(n) {
  const s = text.slice(from, from + n);
  from += n;
  return s;
}

function val() {
  const w = words[at++];
  const p = w >>> 3;
  switch (w & 7) {
    case 1:
      return p;
    case 4:
      return str(p);
    case 2:
      return -p;
    case 3: {
      const n = words[at] + words[at + 1] * 4294967296;
      at += 2;
      return p ? -n : n;
    }
    default:
      switch (p) {
        case 4: {
          const o = {};
          while (words[at] !== END) {
            const k = key();
            o[k] = val();
          }
          at++;
          return o;
        }
        case 3: {
          const a = [];
          while (words[at] !== END) a.push(val());
          at++;
          return a;
        }
        case 2:
          return true;
        case 1:
          return false;
        default:
          return null;
      }
  }
}

function key() {
  const w = words[at++];
  if ((w & 7) === 5) return keys[w >>> 3];
  const k = str(w >>> 3);
  keys.push(k);
  return k;
}
