//! The serde `Serializer` writing what `codec.js` decodes into plain JS values (see `codec.js` for the format).

use std::cell::{Cell, RefCell};

use serde::ser::{self, Error as _, Impossible, Serialize};

use super::Error;

type Result<T = ()> = std::result::Result<T, Error>;

/// JS numbers hold integers exactly up to 2^53 − 1.
const MAX_SAFE: u64 = (1 << 53) - 1;

/// Slots of [`Shapes::by_struct`] and of [`Writer::recent`] (a power of two).
const RECENT: usize = 64;

/// The object shapes (field names, in order) sent to `codec.js`, each with the number `codec.js`
/// knows it by. An object is written as its shape's number followed by its values: `codec.js`
/// builds every object of a shape with one function made for that shape.
#[derive(Debug)]
struct Shapes {
    /// Every shape sent, by number (field names are `&'static str`s from the serde derives).
    list: Vec<Box<[&'static str]>>,
    /// Shape numbers sorted by their names' addresses, searched by bisection (only when a struct's
    /// guess below fails, and for variants).
    sorted: Vec<u32>,
    /// The shape each struct (by its name's address and its field count) had last time,
    /// direct-mapped: the guess [`Fields`] checks name by name instead of looking the shape up.
    by_struct: [(usize, usize, u32); RECENT],
    /// The number of each [`FixedShape`]'s shape, by slot, once sent.
    fixed: [u32; FIXED],
}

impl Shapes {
    /// The number of the shape `names`, and whether it is new (then it is numbered now).
    fn number(&mut self, names: &[&'static str]) -> (u32, bool) {
        // By address: the same derive hands over the same `&'static str`s every time.
        let list = &self.list;
        match self.sorted.binary_search_by(|n| addresses(&list[*n as usize]).cmp(addresses(names))) {
            Ok(found) => (self.sorted[found], false),
            Err(at) => {
                let number = self.list.len() as u32;
                self.list.push(names.into());
                self.sorted.insert(at, number);
                (number, true)
            }
        }
    }

    /// Forgets the shapes numbered from `known` on.
    fn truncate(&mut self, known: usize) {
        self.list.truncate(known);
        self.sorted.retain(|number| (*number as usize) < known);
        self.by_struct = [NO_GUESS; RECENT];
        for number in &mut self.fixed {
            if *number as usize >= known {
                *number = u32::MAX;
            }
        }
    }

    /// The shape the struct `name` with `len` fields had last time, if it had one.
    fn guess(&self, name: &'static str, len: usize) -> Option<u32> {
        let (at, count, shape) = self.by_struct[Self::struct_slot(name, len)];
        (at == name.as_ptr() as usize && count == len && shape != u32::MAX).then_some(shape)
    }

    /// Remembers `shape` as the struct `name`'s with `len` fields.
    fn remember(&mut self, name: &'static str, len: usize, shape: u32) {
        self.by_struct[Self::struct_slot(name, len)] = (name.as_ptr() as usize, len, shape);
    }

    fn struct_slot(name: &'static str, len: usize) -> usize {
        let mixed = (name.as_ptr() as u32 ^ len as u32).wrapping_mul(0x9e37_79b9);
        (mixed >> (32 - RECENT.trailing_zeros())) as usize
    }
}

const NO_GUESS: (usize, usize, u32) = (0, 0, u32::MAX);

/// Whether two names are the same `&'static str` (by address).
fn same_name(a: &str, b: &str) -> bool {
    a.as_ptr() == b.as_ptr() && a.len() == b.len()
}

/// The address and length of each name.
fn addresses<'a>(names: &'a [&'static str]) -> impl Iterator<Item = (usize, usize)> + 'a {
    names.iter().map(|name| (name.as_ptr() as usize, name.len()))
}

thread_local! {
    /// Kept for the module's lifetime, like `codec.js`'s list.
    static SHAPES: RefCell<Shapes> =
        const { RefCell::new(Shapes {
            list: Vec::new(),
            sorted: Vec::new(),
            by_struct: [NO_GUESS; RECENT],
            fixed: [u32::MAX; FIXED],
        }) };
}

/// The buffers of the last output, kept for the next (allocating a fresh 4 KB on every keystroke
/// showed in profiles): the words, the text and the field names.
type Buffers = (Vec<u32>, String, Vec<&'static str>);

thread_local! {
    static SPARE: Cell<Buffers> = const { Cell::new((Vec::new(), String::new(), Vec::new())) };
}

/// Buffers above these capacities (a huge output) are dropped, not kept.
const KEEP_WORDS: usize = 1 << 16;
const KEEP_TEXT: usize = 1 << 18;

/// `value` in `codec.js`'s format, handed to `deliver` as the words and the text of every string
/// and new name in order.
pub(super) fn with_parts<T: Serialize + ?Sized, R>(
    value: &T,
    deliver: impl FnOnce(&[u32], &str) -> R,
) -> Result<R> {
    write_parts(|writer| value.serialize(writer), deliver)
}

/// [`with_parts`] for a value that `write` writes by hand instead of serde.
pub(super) fn with_parts_written<R>(
    write: impl FnOnce(&mut Writer<'_>) -> Result,
    deliver: impl FnOnce(&[u32], &str) -> R,
) -> Result<R> {
    write_parts(write, deliver)
}

/// [`with_parts`]'s words and text as owned values (tests compare them).
pub(super) fn to_parts<T: Serialize + ?Sized>(value: &T) -> Result<(Vec<u32>, String)> {
    with_parts(value, |words, text| (words.to_vec(), text.to_owned()))
}

/// [`with_parts_written`]'s words and text as owned values (tests compare them).
pub(super) fn to_parts_written(write: impl FnOnce(&mut Writer<'_>) -> Result) -> Result<(Vec<u32>, String)> {
    with_parts_written(write, |words, text| (words.to_vec(), text.to_owned()))
}

/// What `write` writes with a fresh writer over the module's shapes and the spare buffers, handed
/// to `deliver`; the buffers are kept for the next output.
fn write_parts<R>(
    write: impl FnOnce(&mut Writer<'_>) -> Result,
    deliver: impl FnOnce(&[u32], &str) -> R,
) -> Result<R> {
    let (mut words, mut text, mut fields) = SPARE.take();
    words.clear();
    words.reserve(1024);
    words.push(0); // how many words of new shapes follow (see `Writer::finish`)
    text.clear();
    text.reserve(1024);
    fields.clear();
    let (words, text, fields) = SHAPES.with(|shapes| {
        let mut shapes = shapes.borrow_mut();
        let known = shapes.list.len();
        let mut writer = Writer {
            words,
            text,
            new_shapes: Vec::new(),
            new_names: String::new(),
            shapes: &mut shapes,
            fields,
            strings: 0,
            recent: [NO_STRING; RECENT],
        };
        match write(&mut writer) {
            Ok(()) => Ok(writer.finish()),
            Err(e) => {
                // The JS side never sees this output: forget the shapes it would have learnt from it.
                shapes.truncate(known);
                Err(e)
            }
        }
    })?;
    let delivered = deliver(&words, &text);
    if words.capacity() <= KEEP_WORDS && text.capacity() <= KEEP_TEXT {
        SPARE.set((words, text, fields));
    }
    Ok(delivered)
}

/// Forgets every shape, as if the module had just started (tests compare two writers' outputs).
pub(super) fn forget_shapes() {
    SHAPES.with(|shapes| shapes.borrow_mut().truncate(0));
}

/// The field names of a struct written by hand to a [`Writer`] (see [`crate::to_js_written`]), and
/// the slot where its shape's number is kept ([`Shapes::fixed`]); each shape needs a slot of its
/// own, below 16.
#[derive(Debug)]
pub struct FixedShape {
    pub slot: usize,
    pub names: &'static [&'static str],
}

/// Slots of [`Shapes::fixed`].
const FIXED: usize = 16;

/// A word's kind, in its low [`KIND_BITS`] bits; the rest is its payload.
const KIND_BITS: u32 = 3;
/// A constant: the payload is one of [`NULL`], [`FALSE`], [`TRUE`].
const CONST: u32 = 0;
/// A whole number below 2^29: the payload.
const SMALL: u32 = 1;
/// A negative whole number above −2^29: minus the payload.
const NEGATIVE: u32 = 2;
/// Any other safe integer: the payload is 1 when negative; two words follow (low, high 32 bits of its magnitude).
const LARGE: u32 = 3;
/// A string: the payload is its length in UTF-16 units; its text comes next in the text.
const STRING: u32 = 4;
/// An object: the payload is its shape's number; one value per field follows.
const OBJECT: u32 = 5;
/// An array: the payload is its length; its elements follow.
const ARRAY: u32 = 6;
/// A string written before in this output: the payload is its number (strings are numbered from 0
/// in the order of their [`STRING`] words).
const AGAIN: u32 = 7;
/// Payloads of [`CONST`] words.
const NULL: u32 = 0;
const FALSE: u32 = 1;
const TRUE: u32 = 2;
/// Payloads are below this.
const PAYLOAD_LIMIT: u64 = 1 << (32 - KIND_BITS);
/// Strings up to this many bytes are looked up among those already written (currency codes,
/// variant names, SKUs); longer ones (messages, names) rarely repeat.
const SHORT: usize = 16;

/// A short string written in this output: its address and length, where its text starts in
/// [`Writer::text`], and its number.
#[derive(Debug, Clone, Copy)]
struct Written {
    address: usize,
    len: usize,
    text_at: usize,
    number: u32,
}

const NO_STRING: Written = Written { address: 0, len: 0, text_at: 0, number: u32::MAX };

/// Appends encoded values to `words` and `text`.
#[derive(Debug)]
pub struct Writer<'k> {
    /// A word for the new shapes' words (filled in by [`Writer::finish`]), then one word per value,
    /// object or array (three for a large integer). An object's or array's word is reserved
    /// before its values are written, and set once its shape or length is known.
    words: Vec<u32>,
    /// The text of every string, in the order of their words (UTF-8 here, UTF-16 in JS).
    text: String,
    /// The shapes numbered in this output: for each, its field count, then each name's length in UTF-16 units.
    new_shapes: Vec<u32>,
    /// Their names.
    new_names: String,
    /// Shapes already sent to `codec.js`.
    shapes: &'k mut Shapes,
    /// The names of the fields written so far of the objects being written (innermost last).
    fields: Vec<&'static str>,
    /// [`STRING`] words written so far.
    strings: u32,
    /// Short strings written, direct-mapped by address (see [`Writer::string`]).
    recent: [Written; RECENT],
}

impl Writer<'_> {
    fn word(&mut self, kind: u32, payload: u32) {
        self.words.push(payload << KIND_BITS | kind);
    }

    /// Reserves the word of an object or array whose shape or length is not known yet.
    fn reserve(&mut self) -> usize {
        self.words.push(0);
        self.words.len() - 1
    }

    /// Sets the word reserved `at`.
    fn set(&mut self, at: usize, kind: u32, payload: u32) {
        self.words[at] = payload << KIND_BITS | kind;
    }

    /// Sets the object word reserved `at` to the shape named by the fields from `start` on; that shape's number.
    fn close_object(&mut self, at: usize, start: usize) -> Result<u32> {
        let shape = self.object(start)?;
        self.set(at, OBJECT, shape);
        Ok(shape)
    }

    /// The words and text for `codec.js`: the new shapes first (usually none), then the value.
    fn finish(self) -> Buffers {
        let Writer { mut words, mut text, new_shapes, new_names, fields, .. } = self;
        if !new_shapes.is_empty() {
            words.splice(0..1, std::iter::once(new_shapes.len() as u32).chain(new_shapes));
            text.insert_str(0, &new_names);
        }
        (words, text, fields)
    }

    fn constant(&mut self, which: u32) {
        self.word(CONST, which);
    }

    /// `n` (a magnitude of at most 2^53 − 1), negated when `negative`.
    #[inline]
    fn int(&mut self, n: u64, negative: bool) {
        if n < PAYLOAD_LIMIT {
            self.word(if negative { NEGATIVE } else { SMALL }, n as u32);
        } else {
            self.word(LARGE, u32::from(negative));
            self.words.push(n as u32);
            self.words.push((n >> 32) as u32);
        }
    }

    /// `s`'s length in UTF-16 units, checked against the payload limit.
    fn units(s: &str) -> Result<u32> {
        let units = if s.is_ascii() { s.len() } else { s.encode_utf16().count() };
        if units as u64 >= PAYLOAD_LIMIT {
            return Err(Error::custom("a string too long for the wire"));
        }
        Ok(units as u32)
    }

    /// A string, or the number of the same one written before. Repeats are the same `&str`s (a
    /// currency's code, a variant's name, an item's shared SKU), so they are looked up by address;
    /// a hit is confirmed against the copy in `text`, since a temporary string may reuse the address
    /// of one freed earlier.
    #[inline(never)]
    pub fn string(&mut self, s: &str) -> Result {
        self.string_confirmed(s, true)
    }

    /// [`Writer::string`] for a `&'static str` (a currency code, a variant's name): never freed, so
    /// no other string can be at its address, and a hit needs no comparison of the text.
    pub fn static_string(&mut self, s: &'static str) -> Result {
        self.string_confirmed(s, false)
    }

    /// [`Writer::string`], a hit compared with the text written before when `confirm`.
    #[inline(always)]
    fn string_confirmed(&mut self, s: &str, confirm: bool) -> Result {
        if let Some(number) = self.written(s, confirm) {
            self.word(AGAIN, number);
            return Ok(());
        }
        let units = Self::units(s)?;
        if s.len() <= SHORT {
            self.recent[Self::recent_slot(s)] = Written {
                address: s.as_ptr() as usize,
                len: s.len(),
                text_at: self.text.len(),
                number: self.strings,
            };
        }
        self.word(STRING, units);
        self.text.push_str(s);
        self.strings += 1;
        Ok(())
    }

    /// The number of `s` when it is a short string written before in this output (found by address,
    /// and its text compared with the copy in `text` when `confirm`).
    #[inline(always)]
    fn written(&self, s: &str, confirm: bool) -> Option<u32> {
        if s.len() > SHORT {
            return None;
        }
        let seen = self.recent[Self::recent_slot(s)];
        (seen.address == s.as_ptr() as usize
            && seen.len == s.len()
            && seen.number != u32::MAX
            && (!confirm
                || self.text.as_bytes().get(seen.text_at..seen.text_at + seen.len) == Some(s.as_bytes())))
        .then_some(seen.number)
    }

    /// The slot of [`Writer::recent`] for a string, by its address and length.
    #[inline(always)]
    fn recent_slot(s: &str) -> usize {
        let mixed = ((s.as_ptr() as usize ^ s.len()) as u32).wrapping_mul(0x9e37_79b9);
        (mixed >> (32 - RECENT.trailing_zeros())) as usize
    }

    /// An object of `shape` whose fields are an amount and a `&'static str` (a money amount: five
    /// per cart line): its three words at once in the usual case (the shape sent before, an amount
    /// below 2^29, the code written before in this output), else as [`Writer::object_of`] does.
    pub fn amount_and_code(&mut self, shape: &FixedShape, amount: i64, code: &'static str) -> Result {
        let number = self.shapes.fixed[shape.slot];
        if number != u32::MAX
            && (0..PAYLOAD_LIMIT as i64).contains(&amount)
            && let Some(again) = self.written(code, false)
        {
            self.words.extend_from_slice(&[
                number << KIND_BITS | OBJECT,
                (amount as u32) << KIND_BITS | SMALL,
                again << KIND_BITS | AGAIN,
            ]);
            return Ok(());
        }
        self.object_of(shape, |w| {
            w.signed(amount)?;
            w.static_string(code)
        })
    }

    /// The number of the shape named by the fields from `start` on (numbered now if new), which are
    /// then forgotten.
    #[inline(never)]
    fn object(&mut self, start: usize) -> Result<u32> {
        let (number, new) = self.shapes.number(&self.fields[start..]);
        if new {
            self.new_shapes.push((self.fields.len() - start) as u32);
            for i in start..self.fields.len() {
                let name = self.fields[i];
                self.new_shapes.push(Self::units(name)?);
                self.new_names.push_str(name);
            }
        }
        self.fields.truncate(start);
        Ok(number)
    }

    /// `true` or `false`.
    pub fn bool(&mut self, v: bool) {
        self.constant(if v { TRUE } else { FALSE });
    }

    /// `null` (`None`).
    pub fn null(&mut self) {
        self.constant(NULL);
    }

    /// An array of `len` elements, which follow.
    pub fn array(&mut self, len: usize) -> Result {
        self.word(ARRAY, payload(len, "an array too long for the wire")?);
        Ok(())
    }

    /// An object of `shape` whose values, one per name in order, `values` writes. Its shape is
    /// numbered (when new) after those of the objects inside it, as serde's writer does.
    pub fn object_of(&mut self, shape: &FixedShape, values: impl FnOnce(&mut Self) -> Result) -> Result {
        let at = self.reserve();
        values(self)?;
        match self.shapes.fixed[shape.slot] {
            u32::MAX => {
                let start = self.fields.len();
                self.fields.extend_from_slice(shape.names);
                self.shapes.fixed[shape.slot] = self.close_object(at, start)?;
            }
            number => self.set(at, OBJECT, number),
        }
        Ok(())
    }

    #[inline]
    pub fn signed(&mut self, n: i64) -> Result {
        if n.unsigned_abs() > MAX_SAFE {
            return Err(beyond_safe(n));
        }
        self.int(n.unsigned_abs(), n < 0);
        Ok(())
    }

    #[inline]
    pub fn unsigned(&mut self, n: u64) -> Result {
        if n > MAX_SAFE {
            return Err(beyond_safe(n));
        }
        self.int(n, false);
        Ok(())
    }
}

/// `n` as a payload, or an error saying `what`.
fn payload(n: usize, what: &str) -> Result<u32> {
    if n as u64 >= PAYLOAD_LIMIT {
        return Err(Error::custom(what));
    }
    Ok(n as u32)
}

#[cold]
#[inline(never)]
fn beyond_safe(n: impl std::fmt::Display) -> Error {
    Error::custom(format!("{n} can't be represented as a JavaScript number"))
}

fn unsupported(what: &str) -> Error {
    Error::custom(format!("{what} cannot be written to JS"))
}

/// The elements of an array being written; for a tuple variant, also the variant wrapping it.
#[derive(Debug)]
pub struct Elements<'a, 'k> {
    writer: &'a mut Writer<'k>,
    /// The array's reserved word.
    at: usize,
    /// Elements written so far.
    count: usize,
    /// `{ variant: [elements] }`: the variant object's reserved word, and where its field name is
    /// in [`Writer::fields`].
    variant: Option<(usize, usize)>,
}

/// The fields of an object being written; for a struct variant, also the variant wrapping it.
///
/// A struct usually has the shape it had last time: while its field names are those of that
/// guess, they are only compared with it; at the first difference they are pushed to
/// [`Writer::fields`] and the shape is looked up at the end.
#[derive(Debug)]
pub struct Fields<'a, 'k> {
    writer: &'a mut Writer<'k>,
    /// The object's reserved word.
    at: usize,
    /// Where this object's field names start in [`Writer::fields`].
    start: usize,
    /// `{ variant: { fields } }`: the variant object's reserved word, and where its field name is
    /// in [`Writer::fields`].
    variant: Option<(usize, usize)>,
    /// The struct's name and field count, to remember its shape by; `None` for a struct variant.
    of: Option<(&'static str, usize)>,
    /// The shape guessed and how many names matched it so far, while they all have.
    guess: Option<(u32, usize)>,
}

impl<'a, 'k> ser::Serializer for &'a mut Writer<'k> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Elements<'a, 'k>;
    type SerializeTuple = Elements<'a, 'k>;
    type SerializeTupleStruct = Elements<'a, 'k>;
    type SerializeTupleVariant = Elements<'a, 'k>;
    type SerializeMap = Impossible<(), Error>;
    type SerializeStruct = Fields<'a, 'k>;
    type SerializeStructVariant = Fields<'a, 'k>;

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
        self.string(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result {
        self.string(v)
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
        self.string(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _name: &'static str, value: &T) -> Result {
        value.serialize(self)
    }
    /// `{ variant: value }`.
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result {
        let at = self.reserve();
        let start = self.fields.len();
        self.fields.push(variant);
        value.serialize(&mut *self)?;
        self.close_object(at, start).map(drop)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Elements<'a, 'k>> {
        let at = self.reserve();
        Ok(Elements { writer: self, at, count: 0, variant: None })
    }
    fn serialize_tuple(self, len: usize) -> Result<Elements<'a, 'k>> {
        self.serialize_seq(Some(len))
    }
    fn serialize_tuple_struct(self, _name: &'static str, len: usize) -> Result<Elements<'a, 'k>> {
        self.serialize_seq(Some(len))
    }
    /// `{ variant: [elements] }`.
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Elements<'a, 'k>> {
        let outer = self.reserve();
        let start = self.fields.len();
        self.fields.push(variant);
        let at = self.reserve();
        Ok(Elements { writer: self, at, count: 0, variant: Some((outer, start)) })
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self::SerializeMap> {
        Err(unsupported("a map"))
    }
    fn serialize_struct(self, name: &'static str, len: usize) -> Result<Fields<'a, 'k>> {
        let at = self.reserve();
        let start = self.fields.len();
        let guess = self.shapes.guess(name, len).map(|shape| (shape, 0));
        Ok(Fields { writer: self, at, start, variant: None, of: Some((name, len)), guess })
    }
    /// `{ variant: { fields } }`.
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Fields<'a, 'k>> {
        let outer_at = self.reserve();
        let outer = self.fields.len();
        self.fields.push(variant);
        let at = self.reserve();
        let start = self.fields.len();
        Ok(Fields { writer: self, at, start, variant: Some((outer_at, outer)), of: None, guess: None })
    }
}

impl Elements<'_, '_> {
    fn element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.count += 1;
        value.serialize(&mut *self.writer)
    }

    fn end(self) -> Result {
        let len = payload(self.count, "an array too long for the wire")?;
        self.writer.set(self.at, ARRAY, len);
        match self.variant {
            Some((outer_at, start)) => self.writer.close_object(outer_at, start).map(drop),
            None => Ok(()),
        }
    }
}

impl ser::SerializeSeq for Elements<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }
    fn end(self) -> Result {
        Elements::end(self)
    }
}

impl ser::SerializeTuple for Elements<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }
    fn end(self) -> Result {
        Elements::end(self)
    }
}

impl ser::SerializeTupleStruct for Elements<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }
    fn end(self) -> Result {
        Elements::end(self)
    }
}

impl ser::SerializeTupleVariant for Elements<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result {
        self.element(value)
    }
    fn end(self) -> Result {
        Elements::end(self)
    }
}

impl Fields<'_, '_> {
    fn field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.key(key);
        value.serialize(&mut *self.writer)
    }

    /// Notes the next field's name: the guessed shape's next name, or pushed to [`Writer::fields`].
    /// Not generic, so each type's fields share it.
    #[inline(never)]
    fn key(&mut self, key: &'static str) {
        match self.guess {
            Some((shape, matched))
                if self.writer.shapes.list[shape as usize]
                    .get(matched)
                    .is_some_and(|name| same_name(name, key)) =>
            {
                self.guess = Some((shape, matched + 1));
            }
            _ => {
                self.abandon_guess();
                self.writer.fields.push(key);
            }
        }
    }

    /// Pushes the names that matched the guess, if any, to [`Writer::fields`]: from now on the shape is looked up.
    fn abandon_guess(&mut self) {
        if let Some((shape, matched)) = self.guess.take() {
            let names = &self.writer.shapes.list[shape as usize][..matched];
            self.writer.fields.extend_from_slice(names);
        }
    }

    fn end(mut self) -> Result {
        if let Some((shape, matched)) = self.guess
            && self.writer.shapes.list[shape as usize].len() == matched
        {
            self.writer.set(self.at, OBJECT, shape);
            return Ok(());
        }
        self.abandon_guess();
        let shape = self.writer.close_object(self.at, self.start)?;
        if let Some((name, len)) = self.of {
            self.writer.shapes.remember(name, len, shape);
        }
        match self.variant {
            Some((outer_at, outer)) => self.writer.close_object(outer_at, outer).map(drop),
            None => Ok(()),
        }
    }
}

impl ser::SerializeStruct for Fields<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        Fields::end(self)
    }
}

impl ser::SerializeStructVariant for Fields<'_, '_> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, value: &T) -> Result {
        self.field(key, value)
    }
    fn end(self) -> Result {
        Fields::end(self)
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

    const fn w(kind: u32, payload: u32) -> u32 {
        payload << KIND_BITS | kind
    }

    fn shapes_known() -> u32 {
        SHAPES.with(|s| s.borrow().list.len()) as u32
    }

    #[test]
    fn an_object_is_its_shape_then_its_values_and_new_shapes_come_first() {
        let (words, text) =
            to_parts(&[Pair { left: -3, right: Some("é") }, Pair { left: 4, right: None }]).unwrap();
        let pair = shapes_known() - 1;
        #[rustfmt::skip]
        let expected = [
            3, 2, 4, 5,
            w(ARRAY, 2),
            w(OBJECT, pair), w(NEGATIVE, 3), w(STRING, 1),
            w(OBJECT, pair), w(SMALL, 4), w(CONST, NULL),
        ];
        assert_eq!(words, expected);
        assert_eq!(text, "leftrighté");
        let (again, text) = to_parts(&Pair { left: 1, right: None }).unwrap();
        assert_eq!(again, [0, w(OBJECT, pair), w(SMALL, 1), w(CONST, NULL)]);
        assert_eq!(text, "");
    }

    #[test]
    fn a_short_string_written_before_is_sent_by_its_number() {
        let (usd, eur) = ("USD", "EUR");
        let long = "a string longer than sixteen bytes";
        let (words, text) = to_parts(&[usd, eur, usd, long, long, eur]).unwrap();
        #[rustfmt::skip]
        let expected = [
            0, w(ARRAY, 6),
            w(STRING, 3), w(STRING, 3), w(AGAIN, 0), w(STRING, 34), w(STRING, 34), w(AGAIN, 1),
        ];
        assert_eq!(words, expected);
        assert_eq!(text, format!("USDEUR{long}{long}"));
    }

    #[test]
    fn a_temporary_string_at_the_address_of_an_earlier_one_is_not_taken_for_it() {
        struct Temporary(u8);
        impl Serialize for Temporary {
            fn serialize<S: ser::Serializer>(&self, serializer: S) -> std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(&format!("T{}", self.0))
            }
        }
        let (words, text) = to_parts(&[Temporary(1), Temporary(2), Temporary(1), Temporary(1)]).unwrap();
        // Each temporary is freed before the next is made, usually at the same address: only the
        // last, equal to the one before it, is sent again by number.
        assert_eq!(text, "T1T2T1");
        assert_eq!(words[2..], [w(STRING, 2), w(STRING, 2), w(STRING, 2), w(AGAIN, 2)]);
    }

    #[test]
    fn variants_are_objects_named_after_them() {
        #[derive(serde::Serialize)]
        enum E {
            Unit,
            Newtype(u8),
            Tuple(u8, u8),
            Struct { inner: u8 },
        }
        let before = shapes_known();
        let (words, text) =
            to_parts(&[E::Unit, E::Newtype(1), E::Tuple(2, 3), E::Struct { inner: 4 }]).unwrap();
        let (newtype, tuple, inner, outer) = (before, before + 1, before + 2, before + 3);
        #[rustfmt::skip]
        let expected = [
            8, 1, 7, 1, 5, 1, 5, 1, 6,
            w(ARRAY, 4),
            w(STRING, 4),
            w(OBJECT, newtype), w(SMALL, 1),
            w(OBJECT, tuple), w(ARRAY, 2), w(SMALL, 2), w(SMALL, 3),
            w(OBJECT, outer), w(OBJECT, inner), w(SMALL, 4),
        ];
        assert_eq!(words, expected);
        assert_eq!(text, "NewtypeTupleinnerStructUnit");
        assert_eq!(shapes_known(), before + 4);
    }

    #[test]
    fn a_struct_whose_fields_vary_gets_the_shape_of_the_fields_it_has() {
        #[derive(serde::Serialize)]
        struct Either {
            #[serde(skip_serializing_if = "Option::is_none")]
            a: Option<u8>,
            #[serde(skip_serializing_if = "Option::is_none")]
            b: Option<u8>,
        }
        let (a, b, both) = (
            Either { a: Some(1), b: None },
            Either { a: None, b: Some(2) },
            Either { a: Some(3), b: Some(4) },
        );
        let (words, text) = to_parts(&[&a, &b, &a, &both, &b, &both]).unwrap();
        let only_a = shapes_known() - 3;
        let (only_b, a_and_b) = (only_a + 1, only_a + 2);
        #[rustfmt::skip]
        let expected = [
            7, 1, 1, 1, 1, 2, 1, 1,
            w(ARRAY, 6),
            w(OBJECT, only_a), w(SMALL, 1),
            w(OBJECT, only_b), w(SMALL, 2),
            w(OBJECT, only_a), w(SMALL, 1),
            w(OBJECT, a_and_b), w(SMALL, 3), w(SMALL, 4),
            w(OBJECT, only_b), w(SMALL, 2),
            w(OBJECT, a_and_b), w(SMALL, 3), w(SMALL, 4),
        ];
        assert_eq!(words, expected);
        assert_eq!(text, "abab");
    }

    #[test]
    fn an_integer_of_2_pow_29_or_more_takes_two_more_words() {
        let (words, _) = to_parts(&[-(1i64 << 29), (1 << 53) - 1]).unwrap();
        assert_eq!(words[2..5], [w(LARGE, 1), 1 << 29, 0]);
        assert_eq!(words[5..8], [w(LARGE, 0), u32::MAX, (1 << 21) - 1]);
    }

    #[test]
    fn an_integer_beyond_2_pow_53_is_refused_and_its_shapes_forgotten() {
        #[derive(serde::Serialize)]
        struct Inner {
            small: u8,
        }
        #[derive(serde::Serialize)]
        struct Big {
            inner: Inner,
            huge: u64,
        }
        let before = shapes_known();
        assert!(to_parts(&Big { inner: Inner { small: 1 }, huge: 1 << 53 }).is_err());
        assert_eq!(shapes_known(), before);
        let (words, _) = to_parts(&Inner { small: 2 }).unwrap();
        assert_eq!(words[..3], [2, 1, 5], "the shape learnt in the failed call is sent again");
    }
}
