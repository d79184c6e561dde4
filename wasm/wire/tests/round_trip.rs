//! Property tests: values cross the codec's Rust halves and the reference JS halves (`FORMAT.md`) unchanged.
//!
//! Rust → JS → Rust: a value written by the serde `Serializer`, decoded as `codec.js` would, then
//! encoded as `codec.js` would and read back by the `Deserializer`, is the value it was; and what
//! JS sees is exactly serde_json's JSON of it. JS → Rust: that JSON, with the liberties a JS caller
//! takes (keys in any order, unknown keys, `undefined` for absent options, bigints for numbers),
//! reads as the same value; any JSON-like value reads through serde's self-describing path; and
//! no input, however malformed, makes the reader panic.

use ordo_wire::reference::{Decoder, Value, encode};
use ordo_wire::{forget_shapes, from_bytes, to_parts};
use proptest::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Order {
    id: String,
    lines: Vec<Line>,
    note: Option<String>,
    state: State,
    kind: Kind,
    total: i64,
    count: u32,
    small: i8,
    pair: (bool, u16),
    tags: Vec<String>,
    nothing: (),
    #[serde(default, skip_serializing_if = "Option::is_none")]
    gift_message: Option<Message>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Line {
    sku: String,
    quantity: u64,
    unit_price: Money,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Money {
    amount: i64,
    currency: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
struct Message(String);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum State {
    Open,
    Closed,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
enum Kind {
    Plain,
    Gift(String),
    Split(u8, i32),
    Backorder { quantity: u32, promised: Option<String> },
}

/// The largest integer a JS number holds exactly.
const MAX_SAFE: i64 = (1 << 53) - 1;

/// Strings that repeat within a value (the writer sends repeats by number) and any Unicode text.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        prop::sample::select(vec!["EUR", "USD", "SKU-1", "", "é", "🎁", "tab\t\"q\"\\"])
            .prop_map(str::to_owned),
        any::<String>(),
        "[a-zA-Z0-9 ]{0,40}",
        // Long enough to need several bytes of LEB128 length.
        "[a-zé🎁]{100,300}",
    ]
}

/// Integers of every width the words have: one-byte, 29-bit payloads and two-word safe integers.
fn safe_int() -> impl Strategy<Value = i64> {
    prop_oneof![
        -200i64..200,
        -(1i64 << 29)..(1i64 << 29),
        -MAX_SAFE..=MAX_SAFE,
        Just(MAX_SAFE),
        Just(-MAX_SAFE)
    ]
}

fn money() -> impl Strategy<Value = Money> {
    (safe_int(), text()).prop_map(|(amount, currency)| Money { amount, currency })
}

fn line() -> impl Strategy<Value = Line> {
    (text(), 0u64..=MAX_SAFE as u64, money()).prop_map(|(sku, quantity, unit_price)| Line {
        sku,
        quantity,
        unit_price,
    })
}

fn kind() -> impl Strategy<Value = Kind> {
    prop_oneof![
        Just(Kind::Plain),
        text().prop_map(Kind::Gift),
        (any::<u8>(), any::<i32>()).prop_map(|(a, b)| Kind::Split(a, b)),
        (any::<u32>(), prop::option::of(text()))
            .prop_map(|(quantity, promised)| Kind::Backorder { quantity, promised }),
    ]
}

fn order() -> impl Strategy<Value = Order> {
    (
        text(),
        prop::collection::vec(line(), 0..8),
        prop::option::of(text()),
        prop_oneof![Just(State::Open), Just(State::Closed)],
        kind(),
        safe_int(),
        (any::<u32>(), any::<i8>(), any::<bool>(), any::<u16>()),
        prop::collection::vec(text(), 0..5),
        prop::option::of(text().prop_map(Message)),
    )
        .prop_map(
            |(id, lines, note, state, kind, total, (count, small, flag, wide), tags, gift_message)| Order {
                id,
                lines,
                note,
                state,
                kind,
                total,
                count,
                small,
                pair: (flag, wide),
                tags,
                nothing: (),
                gift_message,
            },
        )
}

/// serde_json's JSON of a value as the JS value `JSON.parse` would give.
fn from_json(json: &serde_json::Value) -> Value {
    match json {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => Value::Number(n.as_f64().expect("a number")),
        serde_json::Value::String(s) => Value::String(s.clone()),
        serde_json::Value::Array(a) => Value::Array(a.iter().map(from_json).collect()),
        serde_json::Value::Object(o) => {
            Value::Object(o.iter().map(|(k, v)| (k.clone(), from_json(v))).collect())
        }
    }
}

/// The value with every object's keys sorted (serde_json's map sorts them; a shape keeps field order).
fn sorted(value: &Value) -> Value {
    match value {
        Value::Array(a) => Value::Array(a.iter().map(sorted).collect()),
        Value::Object(o) => {
            let mut entries: Vec<_> = o.iter().map(|(k, v)| (k.clone(), sorted(v))).collect();
            entries.sort_by(|a, b| a.0.cmp(&b.0));
            Value::Object(entries)
        }
        other => other.clone(),
    }
}

/// A small deterministic generator for the liberties a JS caller takes (seeded by proptest).
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        // xorshift64*
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn one_in(&mut self, n: u64) -> bool {
        self.next().is_multiple_of(n)
    }

    /// A value of any kind the encoder can meet, for a key nobody reads.
    fn junk(&mut self, depth: u32) -> Value {
        match self.next() % if depth > 2 { 8 } else { 10 } {
            0 => Value::Undefined,
            1 => Value::Null,
            2 => Value::Bool(self.one_in(2)),
            3 => Value::Number(0.5 + (self.next() % 1000) as f64),
            4 => Value::Number(f64::NAN),
            5 => Value::BigInt(i128::from(self.next()) << 70),
            6 => Value::string("ünknown"),
            7 => Value::Other,
            8 => Value::Array((0..self.next() % 4).map(|_| self.junk(depth + 1)).collect()),
            _ => {
                Value::Object((0..self.next() % 4).map(|i| (format!("j{i}"), self.junk(depth + 1))).collect())
            }
        }
    }

    /// `value` as a JS caller might pass it: objects' keys shuffled, unknown keys added, `null`
    /// fields sometimes `undefined` or absent, integers sometimes bigints.
    fn liberties(&mut self, value: &Value) -> Value {
        match value {
            Value::Number(n) if self.one_in(4) => Value::BigInt(*n as i128),
            Value::Array(a) => Value::Array(a.iter().map(|v| self.liberties(v)).collect()),
            Value::Object(o) => {
                let mut entries = Vec::new();
                for (k, v) in o {
                    match v {
                        // (A unit field may be `undefined` but not absent: serde requires it.)
                        Value::Null if k != "nothing" && self.one_in(3) => continue,
                        Value::Null if self.one_in(2) => entries.push((k.clone(), Value::Undefined)),
                        _ => entries.push((k.clone(), self.liberties(v))),
                    }
                }
                // A one-key object is an enum variant: an extra key would change its meaning.
                if o.len() > 1 {
                    for i in 0..self.next() % 3 {
                        entries.push((format!("extra{i}"), self.junk(0)));
                    }
                }
                for i in (1..entries.len()).rev() {
                    entries.swap(i, (self.next() % (i as u64 + 1)) as usize);
                }
                Value::Object(entries)
            }
            other => other.clone(),
        }
    }
}

/// Any value serde's self-describing path reads (`deserialize_any`).
#[derive(Debug, PartialEq)]
enum Any {
    Null,
    Bool(bool),
    Int(i128),
    Text(String),
    List(Vec<Any>),
    Map(Vec<(String, Any)>),
}

impl<'de> Deserialize<'de> for Any {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Any, D::Error> {
        struct V;
        impl<'de> serde::de::Visitor<'de> for V {
            type Value = Any;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("any value")
            }
            fn visit_unit<E>(self) -> Result<Any, E> {
                Ok(Any::Null)
            }
            fn visit_bool<E>(self, b: bool) -> Result<Any, E> {
                Ok(Any::Bool(b))
            }
            fn visit_i64<E>(self, n: i64) -> Result<Any, E> {
                Ok(Any::Int(n.into()))
            }
            fn visit_u64<E>(self, n: u64) -> Result<Any, E> {
                Ok(Any::Int(n.into()))
            }
            fn visit_str<E>(self, s: &str) -> Result<Any, E> {
                Ok(Any::Text(s.to_owned()))
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, mut seq: A) -> Result<Any, A::Error> {
                let mut out = Vec::new();
                while let Some(v) = seq.next_element()? {
                    out.push(v);
                }
                Ok(Any::List(out))
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<Any, A::Error> {
                let mut out = Vec::new();
                while let Some((k, v)) = map.next_entry()? {
                    out.push((k, v));
                }
                Ok(Any::Map(out))
            }
        }
        d.deserialize_any(V)
    }
}

/// JSON-like JS values: what `Any` must read back exactly (integers within ±2^64 as numbers or bigints).
fn js_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        safe_int().prop_map(|n| Value::Number(n as f64)),
        any::<i64>().prop_map(|n| Value::BigInt(n.into())),
        any::<u64>().prop_map(|n| Value::BigInt(n.into())),
        text().prop_map(Value::String),
    ];
    leaf.prop_recursive(5, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            // Keys from a small set, so that they repeat and are sent by number.
            prop::collection::vec(
                (prop::sample::select(vec!["sku", "quantity", "a", "ü", "🎁", ""]), inner),
                0..6
            )
            .prop_map(|entries| {
                let mut seen = std::collections::HashSet::new();
                Value::object(entries.into_iter().filter(|(k, _)| seen.insert(*k)))
            }),
        ]
    })
}

fn expected_any(value: &Value) -> Any {
    match value {
        Value::Null | Value::Undefined => Any::Null,
        Value::Bool(b) => Any::Bool(*b),
        Value::Number(n) => Any::Int(*n as i128),
        Value::BigInt(n) => Any::Int(*n),
        Value::String(s) => Any::Text(s.clone()),
        Value::Array(a) => Any::List(a.iter().map(expected_any).collect()),
        Value::Object(o) => Any::Map(o.iter().map(|(k, v)| (k.clone(), expected_any(v))).collect()),
        Value::Other => unreachable!("not generated"),
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn a_value_written_by_rust_and_read_back_through_js_is_unchanged_and_is_its_json(
        first in order(),
        second in order(),
    ) {
        forget_shapes();
        let mut js = Decoder::default();
        // Two outputs in a row: the second one reuses the shapes the first taught.
        for value in [&first, &second] {
            let seen_by_js = js.decode(&to_parts(value).unwrap());
            let json = serde_json::to_value(value).unwrap();
            prop_assert_eq!(sorted(&seen_by_js), sorted(&from_json(&json)));
            let back: Order = from_bytes(&encode(&seen_by_js)).unwrap();
            prop_assert_eq!(&back, value);
        }
    }

    #[test]
    fn json_passed_with_a_callers_liberties_reads_as_the_same_value(value in order(), seed in any::<u64>()) {
        let json = from_json(&serde_json::to_value(&value).unwrap());
        let mut noise = Noise(seed | 1);
        let passed = noise.liberties(&json);
        let read: Order = from_bytes(&encode(&passed)).unwrap();
        prop_assert_eq!(read, value);
    }

    #[test]
    fn any_json_like_js_value_is_read_exactly_by_the_self_describing_path(value in js_value()) {
        let read: Any = from_bytes(&encode(&value)).unwrap();
        prop_assert_eq!(read, expected_any(&value));
    }

    #[test]
    fn malformed_bytes_are_an_error_never_a_panic(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let _ = from_bytes::<Order>(&bytes);
        let _ = from_bytes::<Any>(&bytes);
    }

    #[test]
    fn a_truncated_or_extended_encoding_is_refused(value in order(), cut in any::<prop::sample::Index>()) {
        let json = from_json(&serde_json::to_value(&value).unwrap());
        let bytes = encode(&json);
        let shorter = &bytes[..cut.index(bytes.len())];
        prop_assert!(from_bytes::<Order>(shorter).is_err());
        let mut longer = bytes.clone();
        longer.push(b'n');
        prop_assert!(from_bytes::<Order>(&longer).is_err());
    }
}

#[test]
fn an_integer_beyond_what_a_js_number_holds_is_refused_when_written() {
    let mut line =
        Line { sku: "A".into(), quantity: 1 << 53, unit_price: Money { amount: 0, currency: "EUR".into() } };
    assert_eq!(
        to_parts(&line).unwrap_err().to_string(),
        "9007199254740992 can't be represented as a JavaScript number"
    );
    line.quantity = (1 << 53) - 1;
    assert!(to_parts(&line).is_ok());
}

#[test]
fn a_float_where_an_integer_belongs_is_an_invalid_type_error_that_prints_no_digits() {
    let passed = Value::object([
        ("sku", Value::string("A")),
        ("quantity", Value::Number(2.5)),
        ("unitPrice", Value::object([("amount", Value::Number(1.0)), ("currency", Value::string("EUR"))])),
    ]);
    let error = from_bytes::<Line>(&encode(&passed)).unwrap_err().to_string();
    assert_eq!(error, "invalid type: floating point number, expected u64");
}
