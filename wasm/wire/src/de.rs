//! The serde `Deserializer` over `codec.js`'s encoding of a JS value (see `codec.js` for the format).

use serde::de::{self, DeserializeSeed, Error as _, Expected, IntoDeserializer, Unexpected, Visitor};

use super::Error;

type Result<T> = std::result::Result<T, Error>;

/// Reads one value from what `codec.js` encoded, which must hold nothing else.
pub(super) fn from_bytes<T: de::DeserializeOwned>(encoded: &[u8]) -> Result<T> {
    let (length, rest) = encoded.split_first_chunk::<4>().ok_or_else(malformed)?;
    let (bytes, text) = rest.split_at_checked(u32::from_le_bytes(*length) as usize).ok_or_else(malformed)?;
    let text = std::str::from_utf8(text).map_err(|_| malformed())?;
    let mut reader = Reader { bytes, at: 0, text, keys: Vec::with_capacity(16) };
    let value = T::deserialize(&mut reader)?;
    if reader.at != bytes.len() || !reader.text.is_empty() {
        return Err(Error::custom("trailing input after the value"));
    }
    Ok(value)
}

/// A cursor over an encoded value.
struct Reader<'de> {
    /// The value's structure (see `codec.js`).
    bytes: &'de [u8],
    /// Offset of the next tag.
    at: usize,
    /// The text of the strings not read yet.
    text: &'de str,
    /// The keys numbered so far (`K`), by number.
    keys: Vec<&'de str>,
}

fn malformed() -> Error {
    Error::custom("malformed input from the JS codec")
}

impl<'de> Reader<'de> {
    #[inline(always)]
    fn peek(&self) -> Result<u8> {
        self.bytes.get(self.at).copied().ok_or_else(malformed)
    }

    #[inline(always)]
    fn next(&mut self) -> Result<u8> {
        let tag = self.peek()?;
        self.at += 1;
        Ok(tag)
    }

    /// The magnitude after a `+` or `-` tag (LEB128), a length or a key's number; one beyond `u64`
    /// is read through and is `None`. Usually one byte, read inline.
    #[inline(always)]
    fn magnitude(&mut self) -> Result<Option<u64>> {
        match self.bytes.get(self.at) {
            Some(&byte) if byte < 0x80 => {
                self.at += 1;
                Ok(Some(byte.into()))
            }
            _ => self.long_magnitude(),
        }
    }

    /// [`Reader::magnitude`] of more than one byte.
    #[inline(never)]
    fn long_magnitude(&mut self) -> Result<Option<u64>> {
        let mut n: u64 = 0;
        let mut shift = 0;
        let mut fits = true;
        loop {
            let byte = self.next()?;
            let bits = u64::from(byte & 0x7f);
            if shift >= 64 || (bits << shift) >> shift != bits {
                fits &= bits == 0;
            } else {
                n |= bits << shift;
            }
            shift += 7;
            if byte & 0x80 == 0 {
                return Ok(fits.then_some(n));
            }
        }
    }

    /// An array's length, after its `[` tag.
    fn array_len(&mut self) -> Result<usize> {
        self.magnitude()?.and_then(|n| usize::try_from(n).ok()).ok_or_else(malformed)
    }

    /// A string's text, its `s` (or `K`) tag read: its length in UTF-8 bytes, then that much of the text.
    #[inline]
    fn text(&mut self) -> Result<&'de str> {
        let len = usize::try_from(self.magnitude()?.ok_or_else(malformed)?).map_err(|_| malformed())?;
        let (s, rest) = self.text.split_at_checked(len).ok_or_else(malformed)?;
        self.text = rest;
        Ok(s)
    }

    /// The next value, which must be an object's key: a string, a key numbered now, or one numbered before.
    #[inline]
    fn key(&mut self) -> Result<&'de str> {
        match self.next()? {
            b's' => self.text(),
            b'K' => {
                let key = self.text()?;
                self.keys.push(key);
                Ok(key)
            }
            b'k' => {
                let number = self.magnitude()?.and_then(|n| usize::try_from(n).ok());
                number.and_then(|n| self.keys.get(n).copied()).ok_or_else(malformed)
            }
            _ => Err(malformed()),
        }
    }

    /// What the next value is, for an error message; consumes it.
    #[inline(never)]
    fn unexpected(&mut self, tag: u8) -> Result<Unexpected<'de>> {
        Ok(match tag {
            b'u' | b'n' => Unexpected::Unit,
            b't' => Unexpected::Bool(true),
            b'f' => Unexpected::Bool(false),
            b'+' | b'-' => match (self.magnitude()?, tag == b'-') {
                (Some(n), false) => Unexpected::Unsigned(n),
                (Some(n), true) => match i64::try_from(n) {
                    Ok(n) => Unexpected::Signed(-n),
                    Err(_) => Unexpected::Other("integer out of range"),
                },
                (None, _) => Unexpected::Other("integer out of range"),
            },
            b'd' => Unexpected::Float(f64::NAN),
            b's' => Unexpected::Str(self.text()?),
            b'[' => {
                self.array_len()?;
                self.skip_rest(b']')?;
                Unexpected::Seq
            }
            b'{' => {
                self.skip_rest(b'}')?;
                Unexpected::Map
            }
            _ => Unexpected::Other("function or symbol"),
        })
    }

    /// An `invalid type` error for the value whose tag was just read (not generic: one copy, not one per visitor).
    #[cold]
    #[inline(never)]
    fn invalid(&mut self, tag: u8, visitor: &dyn Expected) -> Error {
        match self.unexpected(tag) {
            Ok(unexpected) => Error::invalid_type(unexpected, visitor),
            Err(e) => e,
        }
    }

    /// Past the `close` ending the array or object being read: 0 when it is next (the usual case),
    /// else the number of values [`Reader::skip_rest`] skipped to reach it.
    #[inline(always)]
    fn end(&mut self, close: u8) -> Result<usize> {
        if self.bytes.get(self.at) == Some(&close) {
            self.at += 1;
            return Ok(0);
        }
        self.skip_rest(close)
    }

    /// Skips values up to and including the `close` of the array or object just opened.
    #[inline(never)]
    fn skip_rest(&mut self, close: u8) -> Result<usize> {
        let mut count = 0;
        while self.peek()? != close {
            if close == b'}' {
                self.key()?;
            }
            self.skip()?;
            count += 1;
        }
        self.at += 1;
        Ok(count)
    }

    #[inline(never)]
    fn skip(&mut self) -> Result<()> {
        match self.next()? {
            b'+' | b'-' => self.magnitude().map(drop),
            b's' => self.text().map(drop),
            b'[' => {
                self.array_len()?;
                self.skip_rest(b']').map(drop)
            }
            b'{' => self.skip_rest(b'}').map(drop),
            _ => Ok(()),
        }
    }

    /// An integer; one from 0 to 127 (a quantity, a count, a day) is read inline.
    #[inline(always)]
    fn integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        if let Some(&[b'+', byte]) = self.bytes.get(self.at..self.at + 2)
            && byte < 0x80
        {
            self.at += 2;
            return visitor.visit_i64(byte.into());
        }
        self.any_integer(visitor)
    }

    #[inline(never)]
    fn any_integer<V: Visitor<'de>>(&mut self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            tag @ (b'+' | b'-') => match (self.magnitude()?, tag == b'-') {
                (Some(n), false) => match i64::try_from(n) {
                    Ok(n) => visitor.visit_i64(n),
                    Err(_) => visitor.visit_u64(n),
                },
                (Some(n), true) if n <= 1 << 63 => visitor.visit_i64((n as i64).wrapping_neg()),
                _ => Err(Error::custom("integer out of range")),
            },
            tag => Err(self.invalid(tag, &visitor)),
        }
    }
}

macro_rules! integers {
    ($($method:ident)*) => {
        $(fn $method<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
            self.integer(visitor)
        })*
    };
}

impl<'de> de::Deserializer<'de> for &mut Reader<'de> {
    type Error = Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'u' | b'n' => {
                self.at += 1;
                visitor.visit_unit()
            }
            b't' | b'f' => self.deserialize_bool(visitor),
            b'+' | b'-' => self.integer(visitor),
            b's' => self.deserialize_str(visitor),
            b'[' => self.deserialize_seq(visitor),
            b'{' => self.deserialize_map(visitor),
            tag => {
                self.at += 1;
                Err(self.invalid(tag, &visitor))
            }
        }
    }

    fn deserialize_bool<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            b't' => visitor.visit_bool(true),
            b'f' => visitor.visit_bool(false),
            tag => Err(self.invalid(tag, &visitor)),
        }
    }

    integers! {
        deserialize_i8 deserialize_i16 deserialize_i32 deserialize_i64 deserialize_u8 deserialize_u16
        deserialize_u32 deserialize_u64 deserialize_f32 deserialize_f64
    }

    fn deserialize_char<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_str<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            b's' => visitor.visit_borrowed_str(self.text()?),
            tag => Err(self.invalid(tag, &visitor)),
        }
    }

    fn deserialize_string<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_bytes<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_byte_buf<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    /// `undefined` and `null` are `None`.
    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.peek()? {
            b'u' | b'n' => {
                self.at += 1;
                visitor.visit_none()
            }
            _ => visitor.visit_some(self),
        }
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            b'u' | b'n' => visitor.visit_unit(),
            tag => Err(self.invalid(tag, &visitor)),
        }
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(self, _name: &'static str, visitor: V) -> Result<V::Value> {
        self.deserialize_unit(visitor)
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value> {
        visitor.visit_newtype_struct(self)
    }

    fn deserialize_seq<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            b'[' => {
                let len = self.array_len()?;
                let value = visitor.visit_seq(Elements { reader: &mut *self, count: 0, len })?;
                let extra = self.end(b']')?;
                if extra > 0 {
                    return Err(Error::custom(format!("{extra} more elements than expected")));
                }
                Ok(value)
            }
            tag => Err(self.invalid(tag, &visitor)),
        }
    }

    fn deserialize_tuple<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_tuple_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _len: usize,
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_seq(visitor)
    }

    fn deserialize_map<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        match self.next()? {
            b'{' => {
                let value = visitor.visit_map(Entries { reader: &mut *self })?;
                self.end(b'}')?;
                Ok(value)
            }
            tag => Err(self.invalid(tag, &visitor)),
        }
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        self.deserialize_map(visitor)
    }

    /// `"variant"` for a unit variant, `{ variant: payload }` for the others (as serde_json).
    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        match self.next()? {
            b's' => visitor.visit_enum(self.text()?.into_deserializer()),
            b'{' => {
                if self.peek()? == b'}' {
                    self.at += 1;
                    return Err(Error::invalid_length(0, &"1"));
                }
                let tag = self.key()?;
                let value = visitor.visit_enum(Variant { reader: &mut *self, tag })?;
                let extra = self.end(b'}')?;
                if extra > 0 {
                    return Err(Error::invalid_length(extra + 1, &"1"));
                }
                Ok(value)
            }
            tag => Err(self.invalid(tag, &visitor)),
        }
    }

    fn deserialize_identifier<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.deserialize_str(visitor)
    }

    fn deserialize_ignored_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value> {
        self.skip()?;
        visitor.visit_unit()
    }
}

/// The elements of an array, for `visit_seq`.
struct Elements<'a, 'de> {
    reader: &'a mut Reader<'de>,
    /// Elements read so far.
    count: usize,
    /// How many the array holds, as `codec.js` counted them (a hint: `]` ends the array).
    len: usize,
}

impl<'de> de::SeqAccess<'de> for Elements<'_, 'de> {
    type Error = Error;

    fn next_element_seed<T: DeserializeSeed<'de>>(&mut self, seed: T) -> Result<Option<T::Value>> {
        if self.reader.peek()? == b']' {
            return Ok(None);
        }
        self.count += 1;
        seed.deserialize(&mut *self.reader).map(Some)
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.len.saturating_sub(self.count))
    }
}

/// The entries of an object, for `visit_map`.
struct Entries<'a, 'de> {
    reader: &'a mut Reader<'de>,
}

impl<'de> de::MapAccess<'de> for Entries<'_, 'de> {
    type Error = Error;

    fn next_key_seed<K: DeserializeSeed<'de>>(&mut self, seed: K) -> Result<Option<K::Value>> {
        if self.reader.peek()? == b'}' {
            return Ok(None);
        }
        let key = self.reader.key()?;
        seed.deserialize(key.into_deserializer()).map(Some)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value> {
        seed.deserialize(&mut *self.reader)
    }
}

/// An enum written as `{ variant: payload }`.
struct Variant<'a, 'de> {
    reader: &'a mut Reader<'de>,
    /// The variant's name.
    tag: &'de str,
}

impl<'de> de::EnumAccess<'de> for Variant<'_, 'de> {
    type Error = Error;
    type Variant = Self;

    fn variant_seed<S: DeserializeSeed<'de>>(self, seed: S) -> Result<(S::Value, Self)> {
        let tag: de::value::BorrowedStrDeserializer<'de, Error> =
            de::value::BorrowedStrDeserializer::new(self.tag);
        Ok((seed.deserialize(tag)?, self))
    }
}

impl<'de> de::VariantAccess<'de> for Variant<'_, 'de> {
    type Error = Error;

    fn unit_variant(self) -> Result<()> {
        de::Deserialize::deserialize(&mut *self.reader)
    }

    fn newtype_variant_seed<T: DeserializeSeed<'de>>(self, seed: T) -> Result<T::Value> {
        seed.deserialize(&mut *self.reader)
    }

    fn tuple_variant<V: Visitor<'de>>(self, _len: usize, visitor: V) -> Result<V::Value> {
        de::Deserializer::deserialize_seq(&mut *self.reader, visitor)
    }

    fn struct_variant<V: Visitor<'de>>(
        self,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value> {
        de::Deserializer::deserialize_map(&mut *self.reader, visitor)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `codec.js` writes for `structure` and `text`.
    fn encoded(structure: &[u8], text: &str) -> Vec<u8> {
        let mut out = (structure.len() as u32).to_le_bytes().to_vec();
        out.extend_from_slice(structure);
        out.extend_from_slice(text.as_bytes());
        out
    }

    #[test]
    fn strings_are_read_by_their_length_in_utf8_bytes() {
        // "é" is two bytes, "🎁" four.
        let read: Vec<String> = from_bytes(&encoded(b"[\x04s\x03s\x05s\x00s\x01]", "aé🎁;;")).unwrap();
        assert_eq!(read, ["aé", "🎁;", "", ";"]);
    }

    #[test]
    fn a_key_numbered_once_is_read_again_by_its_number() {
        #[derive(Debug, PartialEq, serde::Deserialize)]
        struct Line {
            sku: String,
            quantity: i64,
        }
        // [{sku: "A", quantity: 1}, {quantity: 2, sku: "B", extra: {sku: 3}}, {sku: "C", quantity: 4}]
        let structure =
            b"[\x03{K\x03s\x01K\x08+\x01}{k\x01+\x02k\x00s\x01K\x05{k\x00+\x03}}{k\x00s\x01k\x01+\x04}]";
        let read: Vec<Line> = from_bytes(&encoded(structure, "skuAquantityBextraC")).unwrap();
        let line = |sku: &str, quantity| Line { sku: sku.to_owned(), quantity };
        assert_eq!(read, [line("A", 1), line("B", 2), line("C", 4)]);
        assert!(
            from_bytes::<Vec<Line>>(&encoded(b"[\x01{k\x00s\x01}]", "A")).is_err(),
            "a number not given yet"
        );
    }

    #[test]
    fn integers_are_a_sign_and_leb128_and_beyond_64_bits_are_out_of_range() {
        let read: Vec<i64> =
            from_bytes(&encoded(b"[\x04+\x00-\x01+\xac\x02-\x80\x80\x80\x80\x80\x80\x80\x80\x80\x01]", ""))
                .unwrap();
        assert_eq!(read, [0, -1, 300, i64::MIN]);
        let read: u64 = from_bytes(&encoded(b"+\xff\xff\xff\xff\xff\xff\xff\xff\xff\x01", "")).unwrap();
        assert_eq!(read, u64::MAX);
        let err = from_bytes::<u64>(&encoded(b"+\x80\x80\x80\x80\x80\x80\x80\x80\x80\x02", "")).unwrap_err();
        assert_eq!(err.to_string(), "integer out of range");
        assert!(
            from_bytes::<i64>(&encoded(b"-\x81\x80\x80\x80\x80\x80\x80\x80\x80\x01", "")).is_err(),
            "-(2^63 + 1)"
        );
    }

    #[test]
    fn an_array_length_is_only_a_hint_for_the_vector_size() {
        let huge: Vec<i64> = from_bytes(&encoded(b"[\xff\xff\xff\xff\x0f+\x07]", "")).unwrap();
        assert_eq!(huge, [7]);
        let short: Vec<i64> = from_bytes(&encoded(b"[\x00+\x07+\x08]", "")).unwrap();
        assert_eq!(short, [7, 8]);
    }

    #[test]
    fn undefined_and_null_are_none_and_a_float_is_named_without_its_value() {
        let read: Vec<Option<i64>> = from_bytes(&encoded(b"[\x03u+\x07n]", "")).unwrap();
        assert_eq!(read, [None, Some(7), None]);
        let err = from_bytes::<i64>(&encoded(b"d", "")).unwrap_err().to_string();
        assert_eq!(err, "invalid type: floating point number, expected i64");
    }

    #[test]
    fn input_after_the_value_and_cut_strings_are_refused() {
        assert!(from_bytes::<i64>(&encoded(b"+\x01+\x02", "")).is_err());
        assert!(from_bytes::<String>(&encoded(b"s\x05", "ab")).is_err());
        assert!(from_bytes::<String>(&encoded(b"s\x01", "ab")).is_err(), "text left over");
        assert!(from_bytes::<String>(&encoded(b"s\x01", "🎁")).is_err(), "part of a character");
        assert!(from_bytes::<i64>(&encoded(b"+\x80", "")).is_err());
        assert!(from_bytes::<i64>(&[9, 0, 0, 0, b'+', 1]).is_err(), "structure longer than the input");
    }
}
