//! The serde `Serializer` writing what `codec.js` decodes into plain JS values (see `codec.js` for the format).

use std::cell::RefCell;

use serde::ser::{self, Error as _, Impossible, Serialize};

use super::Error;

type Result<T = ()> = std::result::Result<T, Error>;

/// JS numbers hold integers exactly up to 2^53 − 1.
const MAX_SAFE: u64 = (1 << 53) - 1;

/// A name's address and length: names are `&'static str`s from the serde derives.
type Name = (usize, usize);

/// Slots of [`Names::recent`].
const RECENT: usize = 64;

/// The names sent to `codec.js`, each with the number `codec.js` knows it by.
#[derive(Debug)]
struct Names {
    /// Every name sent, sorted by name, searched by bisection.
    sorted: Vec<(Name, u32)>,
    /// A direct-mapped cache in front of `sorted`, by address: most lookups are one comparison
    /// (a result names the same few dozen fields again and again).
    recent: [(Name, u32); RECENT],
}

impl Names {
    /// The number of `name`, and whether it was new (then it is numbered now).
    fn number(&mut self, name: Name) -> (u32, bool) {
        let slot = (name.0 ^ (name.0 >> 6)) % RECENT;
        if self.recent[slot].0 == name {
            return (self.recent[slot].1, false);
        }
        let (number, new) = match self.sorted.binary_search_by_key(&name, |(k, _)| *k) {
            Ok(found) => (self.sorted[found].1, false),
            Err(at) => {
                let number = self.sorted.len() as u32;
                self.sorted.insert(at, (name, number));
                (number, true)
            }
        };
        self.recent[slot] = (name, number);
        (number, new)
    }

    /// Forgets the names numbered from `known` on.
    fn truncate(&mut self, known: usize) {
        self.sorted.retain(|(_, number)| (*number as usize) < known);
        self.recent = [((0, 0), 0); RECENT];
    }
}

thread_local! {
    /// Kept for the module's lifetime, like `codec.js`'s list.
    static KEYS: RefCell<Names> =
        const { RefCell::new(Names { sorted: Vec::new(), recent: [((0, 0), 0); RECENT] }) };
}

/// `value` in `codec.js`'s format: the words, and the text of every string and new name in order.
pub(super) fn to_parts<T: Serialize + ?Sized>(value: &T) -> Result<(Vec<u32>, String)> {
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        let known = keys.sorted.len();
        let mut writer =
            Writer { words: Vec::with_capacity(1024), text: String::with_capacity(1024), keys: &mut keys };
        match value.serialize(&mut writer) {
            Ok(()) => Ok((writer.words, writer.text)),
            Err(e) => {
                // The JS side never sees this output: forget the names it would have learnt from it.
                keys.truncate(known);
                Err(e)
            }
        }
    })
}

/// A word's kind, in its low [`KIND_BITS`] bits; the rest is its payload.
const KIND_BITS: u32 = 3;
/// A constant: the payload is one of [`NULL`], [`FALSE`], [`TRUE`], [`ARRAY`], [`OBJECT`], [`END`].
const CONST: u32 = 0;
/// A whole number below 2^29: the payload.
const SMALL: u32 = 1;
/// A negative whole number above −2^29: minus the payload.
const NEGATIVE: u32 = 2;
/// Any other safe integer: the payload is 1 when negative; two words follow (low, high 32 bits of its magnitude).
const LARGE: u32 = 3;
/// A string: the payload is its length in UTF-16 units; its text comes next in the text.
const STRING: u32 = 4;
/// A field name sent before: the payload is its number.
const KEY: u32 = 5;
/// A new field name, numbered next: the payload is its length in UTF-16 units; its text comes next in the text.
const NEW_KEY: u32 = 6;
/// Payloads of [`CONST`] words. [`END`] closes the array or object opened last.
const NULL: u32 = 0;
const FALSE: u32 = 1;
const TRUE: u32 = 2;
const ARRAY: u32 = 3;
const OBJECT: u32 = 4;
const END: u32 = 5;
/// Payloads are below this.
const PAYLOAD_LIMIT: u64 = 1 << (32 - KIND_BITS);

/// Appends encoded values to `words` and `text`.
struct Writer<'k> {
    /// One word per value, name or bracket (two more for a large integer).
    words: Vec<u32>,
    /// The text of every string and new name, in the order of their words (UTF-8 here, UTF-16 in JS).
    text: String,
    /// Names already sent to `codec.js`, by address.
    keys: &'k mut Names,
}

impl Writer<'_> {
    fn word(&mut self, kind: u32, payload: u32) {
        self.words.push(payload << KIND_BITS | kind);
    }

    fn constant(&mut self, which: u32) {
        self.word(CONST, which);
    }

    /// `n` (a magnitude of at most 2^53 − 1), negated when `negative`.
    #[inline(never)]
    fn int(&mut self, n: u64, negative: bool) {
        if n < PAYLOAD_LIMIT {
            self.word(if negative { NEGATIVE } else { SMALL }, n as u32);
        } else {
            self.word(LARGE, u32::from(negative));
            self.words.push(n as u32);
            self.words.push((n >> 32) as u32);
        }
    }

    #[inline(never)]
    fn string(&mut self, kind: u32, s: &str) -> Result {
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        if units as u64 >= PAYLOAD_LIMIT {
            return Err(Error::custom("a string too long for the wire"));
        }
        self.word(kind, units as u32);
        self.text.push_str(s);
        Ok(())
    }

    #[inline(never)]
    fn key(&mut self, name: &'static str) -> Result {
        match self.keys.number((name.as_ptr() as usize, name.len())) {
            (number, false) => {
                self.word(KEY, number);
                Ok(())
            }
            (_, true) => self.string(NEW_KEY, name),
        }
    }

    #[inline(never)]
    fn signed(&mut self, n: i64) -> Result {
        if n.unsigned_abs() > MAX_SAFE {
            return Err(Error::custom(format!("{n} can't be represented as a JavaScript number")));
        }
        self.int(n.unsigned_abs(), n < 0);
        Ok(())
    }

    #[inline(never)]
    fn unsigned(&mut self, n: u64) -> Result {
        if n > MAX_SAFE {
            return Err(Error::custom(format!("{n} can't be represented as a JavaScript number")));
        }
        self.int(n, false);
        Ok(())
    }
}

fn unsupported(what: &str) -> Error {
    Error::custom(format!("{what} cannot be written to JS"))
}

impl<'a, 'k> ser::Serializer for &'a mut Writer<'k> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result {
        self.constant(if v { TRUE } else { FALSE });
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result {
        self.signed(v.into())
    }
    fn serialize_i16(self, v: i16) -> Result {
        self.signed(v.into())
    }
    fn serialize_i32(self, v: i32) -> Result {
        self.signed(v.into())
    }
    fn serialize_i64(self, v: i64) -> Result {
        self.signed(v)
    }
    fn serialize_u8(self, v: u8) -> Result {
        self.unsigned(v.into())
    }
    fn serialize_u16(self, v: u16) -> Result {
        self.unsigned(v.into())
    }
    fn serialize_u32(self, v: u32) -> Result {
        self.unsigned(v.into())
    }
    fn serialize_u64(self, v: u64) -> Result {
        self.unsigned(v)
    }
    /// Ordo's wire types hold no floats (money is integers); writing one would link the float formatter.
    fn serialize_f32(self, _v: f32) -> Result {
        Err(unsupported("a float"))
    }
    fn serialize_f64(self, _v: f64) -> Result {
        Err(unsupported("a float"))
    }
    fn serialize_char(self, v: char) -> Result {
        self.string(STRING, v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(STRING, v)
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result {
        Err(unsupported("a byte string"))
    }
    fn serialize_none(self) -> Result {
        self.constant(NULL);
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.constant(NULL);
        Ok(())
    }
    fn serialize_unit_struct(self, _name: &'static str) -> Result {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _name: &'static str, _index: u32, variant: &'static str) -> Result {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        self.constant(OBJECT);
        self.key(variant)?;
        value.serialize(&mut *self)?;
        self.constant(END);
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self> {
        self.constant(ARRAY);
        Ok(self)
    }
    fn serialize_tuple(self, len: usize) -> Result<Self> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Self> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self> {
        self.constant(OBJECT);
        self.key(variant)?;
        self.constant(ARRAY);
        Ok(self)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(unsupported("a map"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self> {
        self.constant(OBJECT);
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self> {
        self.constant(OBJECT);
        self.key(variant)?;
        self.constant(OBJECT);
        Ok(self)
    }
}

impl ser::SerializeSeq for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.constant(END);
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.constant(END);
        Ok(())
    }
}

impl ser::SerializeTupleStruct for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.constant(END);
        Ok(())
    }
}

impl ser::SerializeTupleVariant for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.constant(END);
        self.constant(END);
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key)?;
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.constant(END);
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key)?;
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.constant(END);
        self.constant(END);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Serialize)]
    struct Pair {
        left: i64,
        right: Option<&'static str>,
    }

    #[test]
    fn a_field_name_is_sent_once_then_referred_to_by_number() {
        let (words, text) =
            to_parts(&[Pair { left: -3, right: Some("é") }, Pair { left: 4, right: None }]).unwrap();
        let first = KEYS.with(|k| k.borrow().sorted.len()) as u32 - 2;
        let w = |kind: u32, payload: u32| payload << KIND_BITS | kind;
        let c = |which: u32| w(CONST, which);
        #[rustfmt::skip]
        let expected = [
            c(ARRAY),
            c(OBJECT), w(NEW_KEY, 4), w(NEGATIVE, 3), w(NEW_KEY, 5), w(STRING, 1), c(END),
            c(OBJECT), w(KEY, first), w(SMALL, 4), w(KEY, first + 1), c(NULL), c(END),
            c(END),
        ];
        assert_eq!(words, expected);
        assert_eq!(text, "leftrighté");
    }

    #[test]
    fn an_integer_of_2_pow_29_or_more_takes_two_more_words() {
        let (words, _) = to_parts(&[-(1i64 << 29), (1 << 53) - 1]).unwrap();
        let w = |kind: u32, payload: u32| payload << KIND_BITS | kind;
        assert_eq!(words[1..4], [w(LARGE, 1), 1 << 29, 0]);
        assert_eq!(words[4..7], [w(LARGE, 0), u32::MAX, (1 << 21) - 1]);
    }

    #[test]
    fn an_integer_beyond_2_pow_53_is_refused_and_its_names_forgotten() {
        #[derive(serde::Serialize)]
        struct Big {
            huge: u64,
        }
        let before = KEYS.with(|k| k.borrow().sorted.len());
        assert!(to_parts(&Big { huge: 1 << 53 }).is_err());
        assert_eq!(KEYS.with(|k| k.borrow().sorted.len()), before);
    }
}
