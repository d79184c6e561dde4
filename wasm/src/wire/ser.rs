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

/// `value` in `codec.js`'s format.
pub(super) fn to_string<T: Serialize + ?Sized>(value: &T) -> Result<String> {
    KEYS.with(|keys| {
        let mut keys = keys.borrow_mut();
        let known = keys.sorted.len();
        let mut writer = Writer { out: Vec::with_capacity(4096), keys: &mut keys };
        match value.serialize(&mut writer) {
            // Only whole `str`s and ASCII were written.
            Ok(()) => String::from_utf8(writer.out).map_err(|_| Error::custom("invalid UTF-8")),
            Err(e) => {
                // The JS side never sees this output: forget the names it would have learnt from it.
                keys.truncate(known);
                Err(e)
            }
        }
    })
}

/// Appends encoded values to `out`.
struct Writer<'k> {
    /// The encoding so far (UTF-8).
    out: Vec<u8>,
    /// Names already sent to `codec.js`, by address.
    keys: &'k mut Names,
}

impl Writer<'_> {
    #[inline(never)]
    /// `tag`, an optional `-`, the digits of `n` and `;`, appended in one copy.
    fn int(&mut self, tag: u8, mut n: u64, negative: bool) {
        let mut token = [0u8; 23];
        let mut i = token.len() - 1;
        token[i] = b';';
        loop {
            i -= 1;
            token[i] = b'0' + (n % 10) as u8;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        if negative {
            i -= 1;
            token[i] = b'-';
        }
        i -= 1;
        token[i] = tag;
        self.out.extend_from_slice(&token[i..]);
    }

    #[inline(never)]
    fn string(&mut self, tag: u8, s: &str) {
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        self.int(tag, units as u64, false);
        self.out.extend_from_slice(s.as_bytes());
    }

    #[inline(never)]
    fn key(&mut self, name: &'static str) {
        match self.keys.number((name.as_ptr() as usize, name.len())) {
            (number, false) => self.int(b'k', u64::from(number), false),
            (_, true) => self.string(b'K', name),
        }
    }

    #[inline(never)]
    fn signed(&mut self, n: i64) -> Result {
        if n.unsigned_abs() > MAX_SAFE {
            return Err(Error::custom(format!("{n} can't be represented as a JavaScript number")));
        }
        self.int(b'i', n.unsigned_abs(), n < 0);
        Ok(())
    }

    #[inline(never)]
    fn unsigned(&mut self, n: u64) -> Result {
        if n > MAX_SAFE {
            return Err(Error::custom(format!("{n} can't be represented as a JavaScript number")));
        }
        self.int(b'i', n, false);
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
        self.out.push(if v { b't' } else { b'f' });
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
        self.string(b's', v.encode_utf8(&mut [0; 4]));
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(b's', v);
        Ok(())
    }
    fn serialize_bytes(self, _v: &[u8]) -> Result {
        Err(unsupported("a byte string"))
    }
    fn serialize_none(self) -> Result {
        self.out.push(b'n');
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result {
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result {
        self.out.push(b'n');
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
        self.out.push(b'{');
        self.key(variant);
        value.serialize(&mut *self)?;
        self.out.push(b'}');
        Ok(())
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self> {
        self.out.push(b'[');
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
        self.out.push(b'{');
        self.key(variant);
        self.out.push(b'[');
        Ok(self)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(unsupported("a map"))
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self> {
        self.out.push(b'{');
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self> {
        self.out.push(b'{');
        self.key(variant);
        self.out.push(b'{');
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
        self.out.push(b']');
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
        self.out.push(b']');
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
        self.out.push(b']');
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
        self.out.extend_from_slice(b"]}");
        Ok(())
    }
}

impl ser::SerializeStruct for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.out.push(b'}');
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Writer<'_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key);
        value.serialize(&mut **self)
    }
    fn end(self) -> Result {
        self.out.extend_from_slice(b"}}");
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
        let text = to_string(&[Pair { left: -3, right: Some("é") }, Pair { left: 4, right: None }]).unwrap();
        let first = KEYS.with(|k| k.borrow().sorted.len()) - 2;
        assert_eq!(text, format!("[{{K4;lefti-3;K5;rights1;é}}{{k{first};i4;k{};n}}]", first + 1));
    }

    #[test]
    fn an_integer_beyond_2_pow_53_is_refused_and_its_names_forgotten() {
        #[derive(serde::Serialize)]
        struct Big {
            huge: u64,
        }
        let before = KEYS.with(|k| k.borrow().sorted.len());
        assert!(to_string(&Big { huge: 1 << 53 }).is_err());
        assert_eq!(KEYS.with(|k| k.borrow().sorted.len()), before);
    }
}
