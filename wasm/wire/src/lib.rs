//! ordo-wire: the codec between JS values and Rust serde types, one buffer per crossing instead of one call per field.
//!
//! `codec.js` turns a JS argument into bytes ([`from_js`] reads them with serde), and turns the words
//! and text [`to_js`] writes back into plain JS objects. Both directions are self-describing and
//! generic, so the Rust types stay the single source of the wire shape; `FORMAT.md` (beside this
//! crate's `Cargo.toml`) specifies them. No float is ever formatted or parsed: Ordo's wire types
//! hold none, and leaving that code out keeps the browser module small.
//!
//! # Layout
//! - [`de`]: the serde `Deserializer` over `codec.js`'s encoding of a JS value.
//! - [`ser`]: the serde `Serializer` (and the hand-written [`Writer`] API) writing what `codec.js` decodes.
//! - [`reference`]: a second, plain implementation of `codec.js`'s two halves in Rust, for tests.
//! - this file: the error type, the JS imports, [`from_js`], [`to_js`], [`to_js_written`] and
//!   [`Memo`] (a catalog or rules read once and reused while their content stays the same), and the
//!   same halves on plain bytes and words for native tests ([`from_bytes`], [`to_parts`]).

mod de;
pub mod reference;
mod ser;

pub use ser::{Elements, Fields, FixedShape, Writer};

use std::cell::RefCell;
use std::fmt::{self, Display};
use std::rc::Rc;

use serde::Serialize;
use serde::de::{DeserializeOwned, Expected, Unexpected};
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/src/codec.js")]
extern "C" {
    /// A JS value as bytes; throws a `RangeError` when it is nested too deeply.
    #[wasm_bindgen(catch)]
    fn encode(value: &JsValue) -> Result<Vec<u8>, JsValue>;
    /// The JS value that words and text written by [`ser`] describe (`words` is a view of wasm memory).
    fn decode(words: &[u32], text: &str) -> JsValue;
    /// Whether `decode` may build objects with `new Function` from now on. (An argument that needs
    /// converting gives the import a shim in wasm-bindgen's glue; without one it would be imported
    /// straight from the snippet's module path, which `wasm/build` renames per module.)
    #[wasm_bindgen(js_name = allowCodeGeneration)]
    fn allow_code_generation(allowed: bool);
    /// [`encode`] of a copy of the value, which [`keep`] then remembers under `slot`.
    #[wasm_bindgen(catch, js_name = encodeToKeep)]
    fn encode_to_keep(value: &JsValue, slot: u32) -> Result<Vec<u8>, JsValue>;
    /// Remembers the copy [`encode_to_keep`] encoded last for `slot`.
    fn keep(slot: u32);
    /// Whether the value has the content last remembered under `slot`.
    #[wasm_bindgen(catch)]
    fn unchanged(value: &JsValue, slot: u32) -> Result<bool, JsValue>;
}

/// Why a value could not be read or written; the message is serde's (`invalid type: …, expected …`).
///
/// Boxed so the error is one pointer: every serde step returns `Result<T, Error>`, and a
/// three-word `String` there made each of them move more bytes (38 KB of the raw module).
#[derive(Debug)]
#[allow(clippy::box_collection)] // deliberate: a thin pointer, see above
pub struct Error(Box<String>);

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl serde::de::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(Box::new(msg.to_string()))
    }

    // serde's defaults format `Unexpected` with its `Display`, which formats floats and so links
    // the whole float formatter into the module; ours names a float without printing it.
    fn invalid_type(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Error(Box::new(format!("invalid type: {}, expected {exp}", Unexp(unexp))))
    }

    fn invalid_value(unexp: Unexpected<'_>, exp: &dyn Expected) -> Self {
        Error(Box::new(format!("invalid value: {}, expected {exp}", Unexp(unexp))))
    }
}

impl serde::ser::Error for Error {
    fn custom<T: Display>(msg: T) -> Self {
        Error(Box::new(msg.to_string()))
    }
}

/// `Unexpected`'s wording, except that a float is not printed.
struct Unexp<'a>(Unexpected<'a>);

impl Display for Unexp<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.0 {
            Unexpected::Bool(b) => write!(f, "boolean `{b}`"),
            Unexpected::Unsigned(n) => write!(f, "integer `{n}`"),
            Unexpected::Signed(n) => write!(f, "integer `{n}`"),
            Unexpected::Float(_) => f.write_str("floating point number"),
            Unexpected::Char(c) => write!(f, "character `{c}`"),
            Unexpected::Str(s) => write!(f, "string \"{s}\""),
            Unexpected::Bytes(_) => f.write_str("byte array"),
            Unexpected::Unit => f.write_str("unit value"),
            Unexpected::Option => f.write_str("Option value"),
            Unexpected::NewtypeStruct => f.write_str("newtype struct"),
            Unexpected::Seq => f.write_str("sequence"),
            Unexpected::Map => f.write_str("map"),
            Unexpected::Enum => f.write_str("enum"),
            Unexpected::UnitVariant => f.write_str("unit variant"),
            Unexpected::NewtypeVariant => f.write_str("newtype variant"),
            Unexpected::TupleVariant => f.write_str("tuple variant"),
            Unexpected::StructVariant => f.write_str("struct variant"),
            Unexpected::Other(other) => f.write_str(other),
        }
    }
}

/// Results are built without generated code from now on (see `avoidCodeGeneration`).
pub fn avoid_code_generation() {
    allow_code_generation(false);
}

/// Reads a JS value into `T`. `Err` holds the message (serde's wording).
pub fn from_js<T: DeserializeOwned>(value: &JsValue) -> Result<T, Error> {
    let bytes = encode(value).map_err(|_| too_deep())?;
    de::from_bytes(&bytes)
}

fn too_deep() -> Error {
    Error(Box::new("the value is nested too deeply".to_owned()))
}

/// Writes `value` as plain JS values: structs and enums as objects, `None` as `null`, integers as numbers.
pub fn to_js<T: Serialize + ?Sized>(value: &T) -> Result<JsValue, Error> {
    ser::with_parts(value, decode)
}

/// [`to_js`] for a value that `write` writes by hand (results returned at keystroke rate, where
/// serde's calls per field showed): `write` must write exactly one value.
pub fn to_js_written(write: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>) -> Result<JsValue, Error> {
    ser::with_parts_written(write, decode)
}

/// Reads `T` from bytes in the format `codec.js`'s `encode` writes (what [`from_js`] does after
/// calling it). Used by native tests; see [`reference::encode`].
pub fn from_bytes<T: DeserializeOwned>(encoded: &[u8]) -> Result<T, Error> {
    de::from_bytes(encoded)
}

/// The words and text [`to_js`] would hand to `codec.js`'s `decode`, as owned values (native
/// tests decode them with [`reference::Decoder`]). Shapes it numbers count as sent.
pub fn to_parts<T: Serialize + ?Sized>(value: &T) -> Result<(Vec<u32>, String), Error> {
    ser::to_parts(value)
}

/// [`to_parts`] for a value written by hand, as [`to_js_written`] writes it.
pub fn to_parts_written(
    write: impl FnOnce(&mut Writer<'_>) -> Result<(), Error>,
) -> Result<(Vec<u32>, String), Error> {
    ser::to_parts_written(write)
}

/// Forgets every shape sent, as if the module had just started (a test's [`reference::Decoder`]
/// then starts fresh too).
pub fn forget_shapes() {
    ser::forget_shapes();
}

/// Remembers the last value it read from JS, and `codec.js` a copy of the content it was parsed from:
/// reading a JS value with the same content again costs one walk comparing it with the copy instead
/// of encoding and parsing it. Compared by content, never by object identity, so a caller that
/// changes the object in place gets a fresh read.
#[derive(Debug)]
pub struct Memo<T> {
    /// Where `codec.js` keeps its copy (one slot per memo).
    slot: u32,
    /// What was read from the content `codec.js` remembers.
    last: RefCell<Option<Rc<T>>>,
}

impl<T: DeserializeOwned> Memo<T> {
    pub const fn new(slot: u32) -> Self {
        Memo { slot, last: RefCell::new(None) }
    }

    /// Reads a JS value into `T` (as [`from_js`]), or gives back the last one when the content is the same.
    pub fn read(&self, value: &JsValue) -> Result<Rc<T>, Error> {
        let last = self.last.borrow().clone();
        if let Some(last) = last
            && unchanged(value, self.slot).unwrap_or(false)
        {
            return Ok(last);
        }
        let bytes = encode_to_keep(value, self.slot).map_err(|_| too_deep())?;
        let read = Rc::new(de::from_bytes(&bytes)?);
        // Only now: after a failed parse, `codec.js` still holds the content of `last`.
        keep(self.slot);
        *self.last.borrow_mut() = Some(Rc::clone(&read));
        Ok(read)
    }
}
