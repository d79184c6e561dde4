//! Code 128 barcodes (ISO/IEC 15417), as printed on shipping labels: text in, the widths of
//! alternating bars and spaces out. Digit runs use code set C (two digits a symbol), the rest
//! code set B, so a tracking number prints as narrow as the standard allows.

/// Why text cannot be a Code 128 barcode.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum BarcodeError {
    #[error("a barcode needs at least one character")]
    Empty,
    #[error("{0:?} cannot be printed in a Code 128 barcode (printable ASCII only)")]
    Unprintable(char),
}

/// Bar and space widths (in modules) of symbols 0–105, bar first; each adds up to 11.
const PATTERNS: [&[u8; 6]; 106] = [
    b"212222", b"222122", b"222221", b"121223", b"121322", b"131222", b"122213", b"122312", b"132212",
    b"221213", b"221312", b"231212", b"112232", b"122132", b"122231", b"113222", b"123122", b"123221",
    b"223211", b"221132", b"221231", b"213212", b"223112", b"312131", b"311222", b"321122", b"321221",
    b"312212", b"322112", b"322211", b"212123", b"212321", b"232121", b"111323", b"131123", b"131321",
    b"112313", b"132113", b"132311", b"211313", b"231113", b"231311", b"112133", b"112331", b"132131",
    b"113123", b"113321", b"133121", b"313121", b"211331", b"231131", b"213113", b"213311", b"213131",
    b"311123", b"311321", b"331121", b"312113", b"312311", b"332111", b"314111", b"221411", b"431111",
    b"111224", b"111422", b"121124", b"121421", b"141122", b"141221", b"112214", b"112412", b"122114",
    b"122411", b"142112", b"142211", b"241211", b"221114", b"413111", b"241112", b"134111", b"111242",
    b"121142", b"121241", b"114212", b"124112", b"124211", b"411212", b"421112", b"421211", b"212141",
    b"214121", b"412121", b"111143", b"111341", b"131141", b"114113", b"114311", b"411113", b"411311",
    b"113141", b"114131", b"311141", b"411131", b"211412", b"211214", b"211232",
];
/// The stop pattern, with its final bar (13 modules).
const STOP: &[u8; 7] = b"2331112";
const CODE_B: u8 = 100;
const CODE_C: u8 = 99;
const START_B: u8 = 104;
const START_C: u8 = 105;

/// The symbol values for `text`: start, data (switching between sets B and C), check symbol.
pub fn code128_symbols(text: &str) -> Result<Vec<u8>, BarcodeError> {
    if text.is_empty() {
        return Err(BarcodeError::Empty);
    }
    if let Some(c) = text.chars().find(|c| !(' '..='~').contains(c)) {
        return Err(BarcodeError::Unprintable(c));
    }
    let bytes = text.as_bytes();
    let digits_from = |i: usize| bytes[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    // Set C pays off for 4+ digits at either end of the text, 6+ in its middle.
    let worth_c = |i: usize| {
        let run = digits_from(i);
        run >= 6 || (run >= 4 && (i == 0 || i + run == bytes.len())) || (run >= 2 && run == bytes.len())
    };
    let mut symbols = Vec::with_capacity(bytes.len() + 3);
    let mut in_c = worth_c(0) && digits_from(0) % 2 == 0;
    symbols.push(if in_c { START_C } else { START_B });
    let mut i = 0;
    while i < bytes.len() {
        if in_c {
            if digits_from(i) >= 2 {
                symbols.push((bytes[i] - b'0') * 10 + (bytes[i + 1] - b'0'));
                i += 2;
                continue;
            }
            symbols.push(CODE_B);
            in_c = false;
        }
        // In set B: switch to C at an even digit run worth it (an odd one keeps its first digit in B).
        if worth_c(i) && digits_from(i) % 2 == 0 {
            symbols.push(CODE_C);
            in_c = true;
            continue;
        }
        symbols.push(bytes[i] - b' ');
        i += 1;
    }
    let check =
        symbols.iter().enumerate().map(|(pos, &v)| pos.max(1) as u32 * u32::from(v)).sum::<u32>() % 103;
    symbols.push(check as u8);
    Ok(symbols)
}

/// The widths of the bars and spaces for `text`, bar first and last, without quiet zones.
pub fn code128(text: &str) -> Result<Vec<u8>, BarcodeError> {
    let symbols = code128_symbols(text)?;
    let mut widths: Vec<u8> =
        symbols.iter().flat_map(|&s| PATTERNS[usize::from(s)].iter().map(|w| w - b'0')).collect();
    widths.extend(STOP.iter().map(|w| w - b'0'));
    Ok(widths)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn every_symbol_is_eleven_modules_of_three_bars_and_three_spaces() {
        for (value, pattern) in PATTERNS.iter().enumerate() {
            let sum: u32 = pattern.iter().map(|w| u32::from(w - b'0')).sum();
            assert_eq!(sum, 11, "symbol {value}");
        }
        assert_eq!(STOP.iter().map(|w| u32::from(w - b'0')).sum::<u32>(), 13);
        // No two symbols share a pattern (a scanner could not tell them apart).
        let mut seen = std::collections::HashSet::new();
        assert!(PATTERNS.iter().all(|p| seen.insert(*p)));
    }

    #[test]
    fn the_check_symbol_is_the_position_weighted_sum_modulo_103() {
        // Start B, P J J 1 2 3 C; 104 + 48·1 + 42·2 + 42·3 + 17·4 + 18·5 + 19·6 + 35·7 = 879 ≡ 55.
        assert_eq!(code128_symbols("PJJ123C").unwrap(), [104, 48, 42, 42, 17, 18, 19, 35, 55]);
    }

    #[test]
    fn digit_runs_print_in_set_c_and_letters_in_set_b() {
        // A UPS number: letters in B, then an eleven-digit run: its first digit in B, ten in C.
        let symbols = code128_symbols("1Z999AA10123456784").unwrap();
        assert_eq!(symbols[0], START_B);
        let c_at = symbols.iter().position(|&s| s == CODE_C).unwrap();
        assert_eq!(&symbols[c_at + 1..symbols.len() - 1], [1, 23, 45, 67, 84]);
        // All digits: set C from the start, half as many symbols.
        assert_eq!(code128_symbols("3318810025").unwrap()[..6], [START_C, 33, 18, 81, 0, 25]);
        // An odd run keeps its first digit in B.
        assert_eq!(code128_symbols("12345").unwrap()[..4], [START_B, 17, CODE_C, 23]);
    }

    #[test]
    fn text_a_label_cannot_print_is_refused() {
        assert_eq!(code128(""), Err(BarcodeError::Empty));
        assert_eq!(code128("Åre"), Err(BarcodeError::Unprintable('Å')));
        assert_eq!(code128("a\nb"), Err(BarcodeError::Unprintable('\n')));
    }

    /// Reads symbols back from widths, as a scanner would (the reverse table).
    fn read(widths: &[u8]) -> Vec<u8> {
        let body = &widths[..widths.len() - 7];
        assert_eq!(&widths[widths.len() - 7..], [2, 3, 3, 1, 1, 1, 2]);
        body.chunks(6)
            .map(|c| {
                let p: Vec<u8> = c.iter().map(|w| w + b'0').collect();
                PATTERNS.iter().position(|q| q[..] == p[..]).unwrap() as u8
            })
            .collect()
    }

    /// Decodes symbols to text, checking the check symbol.
    fn decode(symbols: &[u8]) -> String {
        let (check, data) = symbols.split_last().unwrap();
        let sum = data.iter().enumerate().map(|(pos, &v)| pos.max(1) as u32 * u32::from(v)).sum::<u32>();
        assert_eq!(sum % 103, u32::from(*check));
        let mut in_c = data[0] == START_C;
        let mut out = String::new();
        for &s in &data[1..] {
            match (in_c, s) {
                (true, CODE_B) => in_c = false,
                (false, CODE_C) => in_c = true,
                (true, v) => out.push_str(&format!("{v:02}")),
                (false, v) => out.push(char::from(v + b' ')),
            }
        }
        out
    }

    proptest! {
        #[test]
        fn any_printable_text_reads_back_from_its_bars(text in "[ -~]{1,40}", digits in "[0-9]{0,12}") {
            for t in [text.clone(), format!("{text}{digits}"), format!("{digits}{text}")] {
                let widths = code128(&t).unwrap();
                prop_assert!(widths.iter().all(|w| (1..=4).contains(w)));
                prop_assert_eq!(decode(&read(&widths)), t);
            }
        }
    }
}
