// The JS half of ordo-wire (wasm/wire/, specified in its FORMAT.md): plain JS values <-> what Rust reads and writes.
//
// Crossing the wasm boundary once per call is much cheaper than one import call per field
// (serde-wasm-bindgen). Both directions are self-describing and know nothing of Ordo's types.
//
// Into Rust (`encode`), bytes (a view of a buffer reused from call to call): the structure's length
// (4 bytes, little-endian), the structure, then the text of every string back to back in UTF-8.
// The structure, one tag byte per value:
//   u undefined · n null · t true · f false · d a number that is not a safe integer
//   + or - then the magnitude of a safe integer or bigint in LEB128 (7 bits a byte, low first)
//   s then its length in UTF-8 bytes in LEB128: a string, the next ones of the text
//   x anything else (function, symbol) · [ length values ] an array, its length in LEB128 (for the
//   reader to size its vector) · { (key value)* } an object
// An object's key is a string (`s`), or `K` and its length like `s`: a key numbered next (from 0 in
// each encoding), or `k` and a number in LEB128: the key so numbered again. Keys repeat from object
// to object (every cart line has a `sku`): only their first use in an encoding carries their text.
// Strings are encoded straight into a second reused buffer (ASCII ones by a loop, the others by the
// native encoder), which is copied after the structure.

// Out of Rust (`decode`), words (a Uint32Array view of wasm memory) and one text holding every string
// back to back. First the shapes this output numbers (usually none): a word saying how many words
// describe them, then for each its field count and each name's length in UTF-16 units (the names
// are the first ones of the text). Then one value, each word kind (low 3 bits) + payload (the
// other 29), an object or array first and its contents after; no digit is parsed:
//   0 constant: payload 0 null · 1 false · 2 true
//   1 the whole number payload · 2 minus payload · 3 a larger safe integer: payload 1 when negative,
//     then two words (low and high 32 bits of its magnitude)
//   4 a string of payload UTF-16 units, the next ones of the text; numbered (from 0 in each output)
//   5 an object of shape payload: one value per field follows · 6 an array of payload values
//   7 the string numbered payload again
// Shapes are numbered once for the module's lifetime (Rust keeps the same list).

const MAX_DEPTH = 64;

const tag = (c) => c.charCodeAt(0);
const [UNDEFINED, NULL, TRUE, FALSE, FLOAT, PLUS, MINUS, STRING, KEY, KEY_AGAIN, OTHER, ARRAY, END_ARRAY, OBJECT, END_OBJECT] =
  ["u", "n", "t", "f", "d", "+", "-", "s", "K", "k", "x", "[", "]", "{", "}"].map(tag);

// The encoder's state is in `var`s: V8 checks a module-level `let` for its temporal dead zone on
// every access, and these are touched for every byte (about 12 % fewer instructions encoding the
// benchmark's 50-line cart).
var buf = new Uint8Array(4096);
var len = 0; // bytes of `buf` written
var tbuf = new Uint8Array(4096); // the text of the strings met so far, UTF-8
var tlen = 0; // bytes of `tbuf` written
var busy = false; // encoding now (a getter may call back into Ordo)
const utf8 = new TextEncoder();
// `for…in` with this check lists an object's own enumerable string keys in `Object.keys` order
// (V8 optimizes the pair), without making an array per object.
const hasOwn = Object.prototype.hasOwnProperty;

// Keys are numbered per encoding through a table kept for the module's lifetime (at most MAX_KEYS
// keys; others are sent as plain strings every time): a key's slot, the encoding that last numbered
// it (each encoding takes the next `stamp`) and the number it got there.
const MAX_KEYS = 1024;
const keySlots = new Map();
const keyStamp = new Float64Array(MAX_KEYS);
const keyNumber = new Uint32Array(MAX_KEYS);
var stamp = 0; // encodings begun so far
var current = 0; // the `stamp` of the encoding under way
var keysNumbered = 0; // keys numbered in it

/** A JS value as bytes for the Rust reader; throws a RangeError for values nested too deeply. */
export function encode(value) {
  if (busy) {
    // Called from a getter of the value being encoded: encode into buffers of its own.
    const outer = [buf, len, tbuf, tlen, current, keysNumbered];
    buf = new Uint8Array(256);
    tbuf = new Uint8Array(256);
    try {
      return whole(value).slice();
    } finally {
      [buf, len, tbuf, tlen, current, keysNumbered] = outer;
    }
  }
  busy = true;
  try {
    return whole(value); // copied into wasm memory before anything else runs
  } finally {
    busy = false;
  }
}

/** The structure's length, the structure, the text: a view of `buf`. */
function whole(value) {
  len = 4;
  tlen = 0;
  current = ++stamp;
  keysNumbered = 0;
  enc(value, 0);
  const structure = len - 4;
  buf[0] = structure & 255;
  buf[1] = (structure >>> 8) & 255;
  buf[2] = (structure >>> 16) & 255;
  buf[3] = structure >>> 24;
  if (len + tlen > buf.length) grow(tlen);
  buf.set(tbuf.subarray(0, tlen), len);
  len += tlen;
  return buf.subarray(0, len);
}

/** Makes room for `n` more bytes in `buf` (called when there is not enough). */
function grow(n) {
  const bigger = new Uint8Array(Math.max(buf.length * 2, len + n));
  bigger.set(buf.subarray(0, len));
  buf = bigger;
}

// Room for any value's own bytes (a tag and at most 9 more: a safe integer's 53 bits in LEB128, an
// array's or a string's length), made before the value is written.
const ROOM = 16;

function enc(v, depth) {
  if (len + ROOM > buf.length) grow(ROOM);
  // `typeof v === "…"` tests, most frequent first: V8 turns each into a type check (a `switch`
  // on `typeof v` compared strings).
  if (typeof v === "string") return string(v, STRING);
  if (typeof v === "object") {
    if (v === null) {
      buf[len++] = NULL;
      return;
    }
    if (depth > MAX_DEPTH) throw new RangeError("the value is nested too deeply");
    if (Array.isArray(v)) {
      buf[len++] = ARRAY;
      const n = v.length;
      leb(n);
      for (let i = 0; i < n; i++) enc(v[i], depth + 1);
      if (len + 1 > buf.length) grow(1);
      buf[len++] = END_ARRAY;
      return;
    }
    buf[len++] = OBJECT;
    // Own enumerable string keys, in `Object.keys` order, without making their array.
    let i = 0;
    for (const k in v) {
      if (!hasOwn.call(v, k)) continue;
      key(k, i++);
      enc(v[k], depth + 1);
    }
    if (len + 1 > buf.length) grow(1);
    buf[len++] = END_OBJECT;
    return;
  }
  if (typeof v === "number") {
    if (v >= 0 && v < 128 && (v | 0) === v) {
      buf[len++] = PLUS;
      buf[len++] = v;
    } else if (Number.isSafeInteger(v)) int(v);
    else buf[len++] = FLOAT;
    return;
  }
  if (typeof v === "boolean") buf[len++] = v ? TRUE : FALSE;
  else if (v === undefined) buf[len++] = UNDEFINED;
  else if (typeof v === "bigint") bigint(v);
  else buf[len++] = OTHER; // function, symbol
}

/** `n` in LEB128 (room for it made). */
function leb(n) {
  while (n > 127) {
    buf[len++] = (n & 127) | 128;
    n >>>= 7;
  }
  buf[len++] = n;
}

/** A safe integer (room for it made). */
function int(v) {
  if (v < 0) {
    buf[len++] = MINUS;
    v = -v;
  } else buf[len++] = PLUS;
  while (v > 0x7fffffff) {
    buf[len++] = (v % 128) | 128;
    v = Math.floor(v / 128);
  }
  leb(v);
}

function bigint(v) {
  buf[len++] = v < 0n ? MINUS : PLUS;
  if (v < 0n) v = -v;
  while (v > 127n) {
    if (len + 1 > buf.length) grow(1);
    buf[len++] = Number(v & 127n) | 128;
    v >>= 7n;
  }
  if (len + 1 > buf.length) grow(1);
  buf[len++] = Number(v);
}

// The key last met at each position of an object, and its slot: objects of one array usually have
// the same keys in the same order, and comparing (interned) keys by identity is cheaper than the map.
const POSITIONS = 16;
const keyAt = new Array(POSITIONS).fill(null);
const slotAt = new Uint32Array(POSITIONS);

/** An object's key at `position`: its number when it was numbered before in this encoding, else its text. */
function key(k, position) {
  let slot;
  if (position < POSITIONS && keyAt[position] === k) slot = slotAt[position];
  else {
    slot = keySlots.get(k);
    if (slot === undefined) {
      if (keySlots.size === MAX_KEYS) return string(k, STRING);
      slot = keySlots.size;
      keySlots.set(k, slot);
    }
    if (position < POSITIONS) {
      keyAt[position] = k;
      slotAt[position] = slot;
    }
  }
  if (keyStamp[slot] === current) {
    if (len + 6 > buf.length) grow(6);
    buf[len++] = KEY_AGAIN;
    leb(keyNumber[slot]);
    return;
  }
  keyStamp[slot] = current;
  keyNumber[slot] = keysNumbered++;
  string(k, KEY);
}

/** A string after `tag`: its length in UTF-8 bytes; its text goes to `tbuf`. */
function string(s, tag) {
  const n = s.length;
  if (tlen + n * 3 > tbuf.length) {
    const bigger = new Uint8Array(Math.max(tbuf.length * 2, tlen + n * 3));
    bigger.set(tbuf.subarray(0, tlen));
    tbuf = bigger;
  }
  const t = tbuf;
  const at = tlen;
  let i = 0;
  if (n <= 64) {
    // Short ASCII (SKUs, codes, keys): a loop beats a native call.
    for (; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c > 127) break;
      t[at + i] = c;
    }
  }
  // A lone surrogate becomes U+FFFD (three bytes), as in any UTF-8 encoding.
  const bytes = i === n ? n : utf8.encodeInto(s, t.subarray(at)).written;
  tlen = at + bytes;
  if (len + 6 > buf.length) grow(6);
  buf[len++] = tag;
  if (bytes < 128) buf[len++] = bytes;
  else leb(bytes);
}

// Per slot, what Rust last parsed for a `Memo` (wasm/wire/src/lib.rs), kept to tell whether a later
// value has the same content without encoding it; and the copy being parsed now.
const remembered = [];
const pending = [];

/** Like `encode`, but encodes a copy of `value` that `keep(slot)` then remembers (once Rust parsed it). */
export function encodeToKeep(value, slot) {
  pending[slot] = undefined;
  const copied = copy(value, 0); // getters run once: what is encoded is exactly what is kept
  pending[slot] = copied;
  return encode(copied);
}

/** Remembers the copy `encodeToKeep(…, slot)` encoded last. */
export function keep(slot) {
  remembered[slot] = kept(pending[slot]);
  pending[slot] = undefined;
}

/** Whether `value` has the content remembered in `slot`: same own keys in the same order, same values. */
export function unchanged(value, slot) {
  const k = remembered[slot];
  if (k === undefined) return false;
  return value === k || (typeof k === "object" && k !== null && k.same(value, k.values));
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
  for (const k of Object.keys(v)) o[k] = copy(v[k], depth + 1);
  return o;
}

// A remembered array or object: the function that compares a value with it and what it holds (the
// elements, or the values in key order), primitives as they are and arrays and objects as `Kept`.
// One class for all (a monomorphic `same` and `values` wherever a comparison recurses).
class Kept {
  constructor(same, values) {
    this.same = same;
    this.values = values;
  }
}

/** The `Kept` tree of a copy made by `copy` (not cyclic, so neither is the tree). */
function kept(c) {
  if (typeof c !== "object" || c === null) return c;
  if (Array.isArray(c)) return new Kept(sameArray, c.map(kept));
  const keys = Object.keys(c);
  return new Kept(sameObject(keys), keys.map((k) => kept(c[k])));
}

// Below, a value `x` has the content of `y`, a value of a `Kept` tree, when `x === y` (so NaN never
// has) or `y` is a `Kept` whose `same` says so.
function sameArray(v, values) {
  if (!Array.isArray(v) || v.length !== values.length) return false;
  for (let i = 0; i < values.length; i++) {
    const x = v[i];
    const y = values[i];
    if (x !== y && (typeof y !== "object" || y === null || !y.same(x, y.values))) return false;
  }
  return true;
}

// The comparison of a value with a remembered object, one per list of keys (a catalog's items
// usually share one): own enumerable keys walked by `for…in` must be exactly `keys` in order, then
// each value must be the same. Where allowed it is generated (see `generate` below) to read each
// value by its name, which V8 does much faster than by a computed key, and to compare each key with
// a constant: the generated source holds the key names quoted with JSON.stringify and numbers. At most MAX_CHECKERS lists of at most
// MAX_CHECKED_KEYS keys get one; other objects take the generic comparison.
const MAX_CHECKERS = 256;
const MAX_CHECKED_KEYS = 64;
const checkers = new Map();

function sameObject(keys) {
  if (keys.length > MAX_CHECKED_KEYS || !canGenerate()) return sameObjectGeneric(keys);
  const id = keys.join("\u0000");
  let check = checkers.get(id);
  if (check === undefined) {
    if (checkers.size === MAX_CHECKERS) return sameObjectGeneric(keys);
    const values = keys.map((k, i) => `
      x = v[${JSON.stringify(k)}];
      y = values[${i}];
      if (x !== y && (typeof y !== "object" || y === null || !y.same(x, y.values))) return false;`);
    check = new Function("hasOwn", `"use strict"; return function (v, values) {
      if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
      let i = 0;
      for (const k in v) {
        if (!hasOwn.call(v, k)) continue;
        switch (i++) {${keys.map((k, j) => `
          case ${j}: if (k !== ${JSON.stringify(k)}) return false; break;`).join("")}
          default: return false;
        }
      }
      if (i !== ${keys.length}) return false;
      let x, y;${values.join("")}
      return true;
    };`)(hasOwn);
    checkers.set(id, check);
  }
  return check;
}

function sameObjectGeneric(keys) {
  return (v, values) => {
    if (typeof v !== "object" || v === null || Array.isArray(v)) return false;
    let i = 0;
    for (const k in v) if (hasOwn.call(v, k) && k !== keys[i++]) return false;
    if (i !== keys.length) return false;
    for (let j = 0; j < keys.length; j++) {
      const x = v[keys[j]];
      const y = values[j];
      if (x !== y && (typeof y !== "object" || y === null || !y.same(x, y.values))) return false;
    }
    return true;
  };
}

// The shapes of objects Rust sent (wasm/wire/src/ser.rs numbers them the same way): each with its
// field names, the first word each field's value had the first time one was decoded, and the
// function that builds an object of the shape.
const shapes = [];

// Where allowed, a shape's objects are built, from the second on, by a function generated with
// `new Function` for that shape: one object literal (V8 then builds the object with its final
// layout at once) whose fields read the words inline, expecting the kind of value they had the
// first time (an object of the same shape is built within the same literal). Any other word takes
// the generic path, so a wrong guess costs time, never correctness. A page whose
// Content-Security-Policy forbids that (no 'unsafe-eval') builds every object field by field. The
// generated source holds only field names from Ordo's Rust types, each quoted with JSON.stringify,
// and numbers. (`sameObject` above generates its comparisons under the same switch.)
let generate = null;

/** With `false`, builds objects and compares remembered ones without `new Function` from now on (`avoidCodeGeneration` in wasm/src/lib.rs). */
export function allowCodeGeneration(allowed) {
  if (!allowed) generate = false;
}

function canGenerate() {
  if (generate === null) {
    try {
      generate = new Function("return 1")() === 1;
    } catch {
      generate = false;
    }
  }
  return generate;
}

// The output being decoded (one at a time: decoding runs no code of the caller's).
const R = { words: null, at: 0, text: "", from: 0, strings: null };

/** The JS value the Rust writer described in `words` and `text` (see above). */
export function decode(words, text) {
  R.words = words;
  R.text = text;
  R.from = 0;
  R.strings = [];
  R.at = 1;
  while (R.at <= words[0]) {
    const names = new Array(words[R.at++]);
    for (let i = 0; i < names.length; i++) names[i] = text.slice(R.from, (R.from += words[R.at++]));
    const shape = { names, first: null, make: null };
    shape.make = () => generic(shape);
    shapes.push(shape);
  }
  const value = word(words[R.at++]);
  R.words = null;
  R.text = "";
  R.strings = null;
  return value;
}

/** The value whose first word, `w`, was just read. */
function word(w) {
  const p = w >>> 3;
  switch (w & 7) {
    case 0:
      return p === 0 ? null : p === 2;
    case 1:
      return p;
    case 2:
      return -p;
    case 3: {
      const n = R.words[R.at] + R.words[R.at + 1] * 4294967296;
      R.at += 2;
      return p ? -n : n;
    }
    case 4:
      return str(p);
    case 5:
      return shapes[p].make();
    case 6: {
      const array = [];
      for (let i = 0; i < p; i++) array.push(word(R.words[R.at++]));
      return array;
    }
    default:
      return R.strings[p];
  }
}

/** The next string of `units` UTF-16 units; it is numbered next. */
function str(units) {
  const s = R.text.slice(R.from, (R.from += units));
  R.strings.push(s);
  return s;
}

/** An object of `shape`, field by field. The first one also notes each field's first word and
 *  then has a function generated for the next ones. */
function generic(shape) {
  const { names } = shape;
  const first = shape.first === null ? new Array(names.length) : null;
  const o = {};
  for (let i = 0; i < names.length; i++) {
    const w = R.words[R.at++];
    if (first) first[i] = w;
    const value = word(w);
    // Assigned, a `__proto__` field (none of Ordo's) would set the prototype instead.
    if (names[i] === "__proto__") {
      Object.defineProperty(o, names[i], { value, enumerable: true, writable: true, configurable: true });
    } else o[names[i]] = value;
  }
  if (first) {
    shape.first = first;
    if (canGenerate() && !names.includes("__proto__")) {
      // The position is kept in a local `a` (a load and a store of `R.at` saved per word) and
      // handed back to `R.at` around the generic path.
      const body = `"use strict";return function(){const W=R.words;let a=R.at,w,k,t;const o=${literal(shape, 0)};R.at=a;return o;};`;
      shape.make = new Function("R", "word", "str", body)(R, word, str);
    }
  }
  return o;
}

/** The source of an object literal building an object of `shape` from the words (see `generic`). */
function literal(shape, depth) {
  const fields = shape.names.map((name, i) => {
    const w = shape.first[i];
    const next = "(w=W[a++])";
    const generic = "(R.at=a,t=word(w),a=R.at,t)"; // the value whose first word is `w`
    let read;
    switch (w & 7) {
      case 1:
        read = `(${next}&7)===1?w>>>3:${generic}`;
        break;
      case 4:
      case 7: // a string, new or again
        read = `(k=${next}&7)===7?R.strings[w>>>3]:k===4?str(w>>>3):${generic}`;
        break;
      case 5: {
        const inner = shapes[w >>> 3];
        if (depth < 4 && inner.first !== null && !inner.names.includes("__proto__")) {
          read = `${next}===${w}?${literal(inner, depth + 1)}:${generic}`;
          break;
        }
      }
      // falls through: an object built by its own shape's function
      default:
        read = `(w=W[a++],${generic})`;
    }
    return `${JSON.stringify(name)}:(${read})`;
  });
  return `{${fields.join(",")}}`;
}
