// The JS half of the wire codec (wasm/wire/src/codec.js) on hand-made words: cases Ordo's own
// types never produce, so the package tests cannot reach them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { decode } from "../wire/src/codec.js";

const word = (kind, payload) => (payload << 3) | kind;
const [SMALL, OBJECT, STRING] = [1, 5, 4];

test("a field named __proto__ is an own property, whether built field by field or by a generated literal", () => {
  // First output: one new shape ["__proto__", "a"] (number 0 in this fresh module), then an object of it.
  const first = decode(new Uint32Array([3, 2, 9, 1, word(OBJECT, 0), word(SMALL, 1), word(STRING, 1)]), "__proto__ax");
  const again = decode(new Uint32Array([0, word(OBJECT, 0), word(SMALL, 3), word(SMALL, 4)]), "");
  for (const [o, proto, a] of [[first, 1, "x"], [again, 3, 4]]) {
    assert.equal(Object.getPrototypeOf(o), Object.prototype);
    assert.deepEqual(Object.keys(o), ["__proto__", "a"]);
    assert.equal(Object.getOwnPropertyDescriptor(o, "__proto__").value, proto);
    assert.equal(o.a, a);
  }
});

test("an object inside an object is built by the outer shape's literal, and anything else in its place too", () => {
  // Shapes 1 = ["y"] and 2 = ["x"]; {x: {y: 7}} defines them, then x holds other kinds of value.
  const outer = (...value) => new Uint32Array([0, word(OBJECT, 2), ...value]);
  decode(new Uint32Array([4, 1, 1, 1, 1, word(OBJECT, 2), word(OBJECT, 1), word(SMALL, 7)]), "yx");
  assert.deepEqual(decode(outer(word(OBJECT, 1), word(SMALL, 8)), ""), { x: { y: 8 } });
  assert.deepEqual(decode(outer(word(SMALL, 9)), ""), { x: 9 });
  assert.deepEqual(decode(outer(word(STRING, 2)), "hi"), { x: "hi" });
  assert.deepEqual(decode(outer(word(OBJECT, 2), word(OBJECT, 1), word(SMALL, 1)), ""), { x: { x: { y: 1 } } });
});
