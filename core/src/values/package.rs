//! How a parcel was packed: its dimensions, weight and packing material, within what a carrier
//! takes (each side 1-300 cm, 1 g to 70 kg).

use super::free_text::{TextError, free_text, limits};

/// A packed parcel's measurements.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Package {
    length_cm: u16,
    width_cm: u16,
    height_cm: u16,
    weight_grams: u32,
    material: String,
}

/// Why a package was refused: the field (`package`, `package.weightGrams`, `package.material`)
/// and what is wrong with it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {message}")]
pub struct PackageError {
    pub field: &'static str,
    pub message: String,
}

/// The longest side a parcel may have, in centimetres.
pub const MAX_SIDE_CM: i64 = 300;
/// The heaviest a parcel may be, in grams.
pub const MAX_WEIGHT_GRAMS: i64 = 70_000;

impl Package {
    /// A package of `[length, width, height]` centimetres weighing `weight_grams`, packed in
    /// `material`.
    pub fn parse(sides_cm: [i64; 3], weight_grams: i64, material: &str) -> Result<Package, PackageError> {
        let side = |cm: i64| u16::try_from(cm).ok().filter(|cm| (1..=MAX_SIDE_CM).contains(&i64::from(*cm)));
        let (Some(length_cm), Some(width_cm), Some(height_cm)) =
            (side(sides_cm[0]), side(sides_cm[1]), side(sides_cm[2]))
        else {
            return Err(PackageError {
                field: "package",
                message: format!("each side must be 1-{MAX_SIDE_CM} cm"),
            });
        };
        let weight_grams = u32::try_from(weight_grams)
            .ok()
            .filter(|g| (1..=MAX_WEIGHT_GRAMS).contains(&i64::from(*g)))
            .ok_or_else(|| PackageError {
                field: "package.weightGrams",
                message: format!("must be 1-{MAX_WEIGHT_GRAMS} grams"),
            })?;
        let material = free_text(material, limits::MATERIAL)
            .map_err(|e: TextError| PackageError { field: "package.material", message: e.to_string() })?;
        Ok(Package { length_cm, width_cm, height_cm, weight_grams, material })
    }

    /// Length, width and height in centimetres.
    pub fn sides_cm(&self) -> [u16; 3] {
        [self.length_cm, self.width_cm, self.height_cm]
    }

    pub fn weight_grams(&self) -> u32 {
        self.weight_grams
    }

    pub fn material(&self) -> &str {
        &self.material
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_package_fits_what_a_carrier_takes() {
        let p = Package::parse([30, 20, 10], 1_200, " box ").unwrap();
        assert_eq!((p.sides_cm(), p.weight_grams(), p.material()), ([30, 20, 10], 1_200, "box"));
        assert_eq!(Package::parse([0, 20, 10], 1, "box").unwrap_err().field, "package");
        assert_eq!(
            Package::parse([30, 301, 10], 1, "box").unwrap_err().message,
            "each side must be 1-300 cm"
        );
        assert_eq!(Package::parse([30, 20, 10], 0, "box").unwrap_err().field, "package.weightGrams");
        assert_eq!(Package::parse([30, 20, 10], 70_001, "box").unwrap_err().message, "must be 1-70000 grams");
        assert_eq!(Package::parse([30, 20, 10], 5, &"x".repeat(41)).unwrap_err().field, "package.material");
    }
}
