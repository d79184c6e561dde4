//! A second, plain implementation of `codec.js` in Rust, written from `FORMAT.md`: JS values as data, for tests.
//!
//! [`encode`] writes what `codec.js`'s `encode` writes for a JS value, and [`Decoder`] builds what
//! its `decode` builds from the words and text Rust writes. Native tests put the Rust halves of the
//! codec ([`crate::from_bytes`], [`crate::to_parts`]) between the two and check that values cross
//! unchanged; the Node tests check `codec.js` itself against the same format. Nothing here is
//! tuned: it is meant to be read next to `FORMAT.md`.

use std::collections::HashMap;

/// A JS value, as far as the codec can tell them apart.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Undefined,
    Null,
    Bool(bool),
    /// A JS number (a double).
    Number(f64),
    /// A JS bigint.
    BigInt(i128),
    String(String),
    Array(Vec<Value>),
    /// An object's own enumerable string keys with their values, in `Object.keys` order.
    Object(Vec<(String, Value)>),
    /// A function or a symbol.
    Other,
}

impl Value {
    /// A JS string.
    pub fn string(s: &str) -> Value {
        Value::String(s.to_owned())
    }

    /// A JS object with these keys and values, in this order.
    pub fn object<'a>(entries: impl IntoIterator<Item = (&'a str, Value)>) -> Value {
        Value::Object(entries.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }
}

/// The largest integer a JS number holds exactly (2^53 − 1).
const MAX_SAFE: f64 = 9_007_199_254_740_991.0;

/// What `codec.js`'s `encode(value)` returns: the structure's length (4 bytes, little-endian),
/// the structure, then the text of every string in UTF-8.
pub fn encode(value: &Value) -> Vec<u8> {
    let mut encoder = Encoder { structure: Vec::new(), text: Vec::new(), keys: HashMap::new() };
    encoder.value(value);
    let mut out = (encoder.structure.len() as u32).to_le_bytes().to_vec();
    out.extend_from_slice(&encoder.structure);
    out.extend_from_slice(&encoder.text);
    out
}

struct Encoder {
    structure: Vec<u8>,
    text: Vec<u8>,
    /// The keys numbered so far in this encoding, with their numbers.
    keys: HashMap<String, u64>,
}

impl Encoder {
    fn value(&mut self, value: &Value) {
        match value {
            Value::Undefined => self.structure.push(b'u'),
            Value::Null => self.structure.push(b'n'),
            Value::Bool(true) => self.structure.push(b't'),
            Value::Bool(false) => self.structure.push(b'f'),
            Value::Number(n) if n.fract() == 0.0 && n.abs() <= MAX_SAFE => {
                self.structure.push(if *n < 0.0 { b'-' } else { b'+' });
                self.leb(n.abs() as u128);
            }
            Value::Number(_) => self.structure.push(b'd'),
            Value::BigInt(n) => {
                self.structure.push(if *n < 0 { b'-' } else { b'+' });
                self.leb(n.unsigned_abs());
            }
            Value::String(s) => self.string(b's', s),
            Value::Array(elements) => {
                self.structure.push(b'[');
                self.leb(elements.len() as u128);
                elements.iter().for_each(|e| self.value(e));
                self.structure.push(b']');
            }
            Value::Object(entries) => {
                self.structure.push(b'{');
                for (key, value) in entries {
                    self.key(key);
                    self.value(value);
                }
                self.structure.push(b'}');
            }
            Value::Other => self.structure.push(b'x'),
        }
    }

    /// A key: its number when numbered before in this encoding, else numbered now with its text.
    fn key(&mut self, key: &str) {
        if let Some(&number) = self.keys.get(key) {
            self.structure.push(b'k');
            self.leb(number.into());
        } else {
            self.keys.insert(key.to_owned(), self.keys.len() as u64);
            self.string(b'K', key);
        }
    }

    fn string(&mut self, tag: u8, s: &str) {
        self.structure.push(tag);
        self.leb(s.len() as u128);
        self.text.extend_from_slice(s.as_bytes());
    }

    /// LEB128: seven bits a byte, low first, the high bit set on all but the last.
    fn leb(&mut self, mut n: u128) {
        while n > 127 {
            self.structure.push((n as u8 & 127) | 128);
            n >>= 7;
        }
        self.structure.push(n as u8);
    }
}

/// What `codec.js`'s `decode` builds, learning shapes from each output as it does (shapes are
/// numbered once for a module's lifetime: use one decoder per sequence of outputs, after
/// [`crate::forget_shapes`]).
#[derive(Debug, Default)]
pub struct Decoder {
    /// Every shape learnt so far: its field names, by number.
    pub shapes: Vec<Vec<String>>,
}

impl Decoder {
    /// The value described by `words` and `text` (as [`crate::to_parts`] returns them).
    ///
    /// # Panics
    /// When the words do not follow `FORMAT.md` (this is test code: a panic is a failed test).
    #[allow(clippy::unwrap_used)]
    pub fn decode(&mut self, (words, text): &(Vec<u32>, String)) -> Value {
        let units: Vec<u16> = text.encode_utf16().collect();
        let mut reader = Reader { words, at: 1, units: &units, from: 0, strings: Vec::new() };
        while reader.at <= words[0] as usize {
            let count = reader.next();
            let lengths: Vec<u32> = (0..count).map(|_| reader.next()).collect();
            let names = lengths.into_iter().map(|n| reader.text(n)).collect();
            self.shapes.push(names);
        }
        let first = reader.next();
        let value = self.value(&mut reader, first);
        assert_eq!(reader.at, words.len(), "words left over");
        assert_eq!(reader.from, units.len(), "text left over");
        value
    }

    fn value(&self, r: &mut Reader<'_>, word: u32) -> Value {
        let payload = word >> 3;
        match word & 7 {
            0 => match payload {
                0 => Value::Null,
                1 => Value::Bool(false),
                2 => Value::Bool(true),
                _ => panic!("no constant {payload}"),
            },
            1 => Value::Number(payload.into()),
            2 => Value::Number(-f64::from(payload)),
            3 => {
                let low = u64::from(r.next());
                let high = u64::from(r.next());
                let n = (high << 32 | low) as f64;
                Value::Number(if payload == 1 { -n } else { n })
            }
            4 => {
                let s = r.text(payload);
                r.strings.push(s.clone());
                Value::String(s)
            }
            5 => {
                let names = &self.shapes[payload as usize];
                Value::Object(
                    names
                        .iter()
                        .map(|name| {
                            let word = r.next();
                            (name.clone(), self.value(r, word))
                        })
                        .collect(),
                )
            }
            6 => Value::Array(
                (0..payload)
                    .map(|_| {
                        let word = r.next();
                        self.value(r, word)
                    })
                    .collect(),
            ),
            _ => Value::String(r.strings[payload as usize].clone()),
        }
    }
}

struct Reader<'a> {
    words: &'a [u32],
    at: usize,
    /// The text in UTF-16 units, as JS holds it.
    units: &'a [u16],
    /// The next unit of the text to read.
    from: usize,
    /// The strings read so far, by number.
    strings: Vec<String>,
}

impl Reader<'_> {
    fn next(&mut self) -> u32 {
        self.at += 1;
        self.words[self.at - 1]
    }

    #[allow(clippy::unwrap_used)]
    fn text(&mut self, units: u32) -> String {
        let end = self.from + units as usize;
        let s = String::from_utf16(&self.units[self.from..end]).unwrap();
        self.from = end;
        s
    }
}
