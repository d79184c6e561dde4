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

// Per slot, a copy of the content Rust last parsed for a `Memo` (wasm/src/wire/mod.rs), to tell
// whether a later value has the same content without encoding it; and the copy being parsed now.
const remembered = [];
const pending = [];

/** Like `encode`, but encodes a copy of `value` that `keep(slot)` then remembers (once Rust parsed it). */
export function encodeToKeep(value, slot) {
  pending[slot] = undefined;
  const copied = copy(value, 0); // getters run once: what is encoded is exactly what is kept
  pending[slot] = copied;
  return enc(copied, 0);
}

/** Remembers the copy `encodeToKeep(…, slot)` encoded last. */
export function keep(slot) {
  remembered[slot] = { value: pending[slot] };
  pending[slot] = undefined;
}

/** Whether `value` has the content remembered in `slot`: same keys in the same order, same values. */
export function unchanged(value, slot) {
  const kept = remembered[slot];
  return kept !== undefined && same(value, kept.value);
}

function copy(v, depth) {
  if (typeof v !== "object" || v === null) return v;
  if (depth > MAX_DEPTH) throw new RangeError("the value is nested too deeply");
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = copy(v[i], depth + 1);
    return a;
  }
  const o = {};
  const keys = Object.keys(v);
  for (let i = 0; i < keys.length; i++) o[keys[i]] = copy(v[keys[i]], depth + 1);
  return o;
}

// Conservative: NaN is never the same (it is not ===). Bounded by the copy, which is not cyclic.
function same(v, kept) {
  if (typeof v !== "object" || v === null) return v === kept;
  if (typeof kept !== "object" || kept === null || Array.isArray(v) !== Array.isArray(kept)) return false;
  if (Array.isArray(v)) {
    if (v.length !== kept.length) return false;
    for (let i = 0; i < v.length; i++) if (!same(v[i], kept[i])) return false;
    return true;
  }
  const keys = Object.keys(v);
  const keptKeys = Object.keys(kept);
  if (keys.length !== keptKeys.length) return false;
  for (let i = 0; i < keys.length; i++) {
    const k = keys[i];
    if (k !== keptKeys[i] || !same(v[k], kept[k])) return false;
  }
  return true;
}

const keys = [];

/**
 * The JS value the Rust writer described in `words` and `text` (see above). One loop with an
 * explicit stack of open arrays and objects, everything in locals: no recursion, no module state.
 */
export function decode(words, text) {
  const open = []; // the enclosing containers, each followed by the key it will be stored under
  let at = 0; // next word
  let from = 0; // next unit of `text`
  let container = null;
  let key = "";
  let value;
  for (;;) {
    const w = words[at++];
    const p = w >>> 3;
    switch (w & 7) {
      case 1:
        value = p;
        break;
      case 4:
        value = text.slice(from, from + p);
        from += p;
        break;
      case 5:
        key = keys[p];
        continue;
      case 6:
        key = text.slice(from, from + p);
        from += p;
        keys.push(key);
        continue;
      case 2:
        value = -p;
        break;
      case 3: {
        const n = words[at] + words[at + 1] * 4294967296;
        at += 2;
        value = p ? -n : n;
        break;
      }
      default:
        if (p === 4 || p === 3) {
          open.push(container, key);
          container = p === 4 ? {} : [];
          continue;
        }
        if (p === 5) {
          value = container;
          key = open.pop();
          container = open.pop();
        } else {
          value = p === 0 ? null : p === 2;
        }
    }
    if (container === null) return value;
    if (Array.isArray(container)) container.push(value);
    else container[key] = value;
  }
}
