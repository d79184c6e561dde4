//! Validated values: each type can only be built by its `parse`, so the rest of the code trusts it.

mod address;
mod country;
mod email;
mod free_text;
mod id;
mod package;
mod phone;
mod quantity;
mod sku;

pub use address::{AddressField, AddressInput, AddressProblem, AddressProblemKind, PostalAddress};
pub use country::{CountryCode, CountryError};
pub use email::{Email, EmailError};
pub use free_text::{TextError, free_text, lenient_text, limits, required_text};
pub use id::{CustomerId, IdError, OrderId};
pub use package::{MAX_SIDE_CM, MAX_WEIGHT_GRAMS, Package, PackageError};
pub use phone::{Phone, PhoneError};
pub use quantity::{Quantity, QuantityError};
pub use sku::{Sku, SkuError};

/// Implements the serde bridge (read through `try_from` a string, written as the string it holds)
/// and `Display` for a string newtype.
macro_rules! string_value {
    ($ty:ident, $err:ty) => {
        /// Written by reference: no copy of the string (serde's `into = "String"` cloned it).
        #[cfg(feature = "serde")]
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }
        impl TryFrom<String> for $ty {
            type Error = $err;
            fn try_from(value: String) -> Result<Self, Self::Error> {
                value.parse()
            }
        }
        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                crate::values::IntoString::into_string(value.0)
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $err;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }
        impl $ty {
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }
    };
}
pub(crate) use string_value;

/// What a string newtype holds, given back as a `String` (moved when it is one).
pub(crate) trait IntoString {
    fn into_string(self) -> String;
}

impl IntoString for String {
    fn into_string(self) -> String {
        self
    }
}

/// A value cloned often (a SKU on every priced line) is shared rather than copied.
impl IntoString for std::sync::Arc<str> {
    fn into_string(self) -> String {
        self.to_string()
    }
}
