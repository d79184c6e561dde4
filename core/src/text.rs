//! Small English wording helpers shared by cart messages and the status view.

use chrono::{Datelike, NaiveDate};

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// `5 Dec 2026`: unambiguous in every English locale.
pub fn date(d: NaiveDate) -> String {
    format!("{} {} {}", d.day(), MONTHS[d.month0() as usize], d.year())
}

/// `Fri 5 Dec`: for dates near enough that the year goes without saying.
pub fn short_date(d: NaiveDate) -> String {
    format!(
        "{} {} {}",
        WEEKDAYS[d.weekday().num_days_from_monday() as usize],
        d.day(),
        MONTHS[d.month0() as usize]
    )
}

/// `1 item` / `3 items`.
pub fn count(n: u32, singular: &str, plural: &str) -> String {
    if n == 1 { format!("1 {singular}") } else { format!("{n} {plural}") }
}

/// `text` as names are searched: lower case, runs of spaces one space, trimmed ("  Ada
/// LOVELACE" and "ada lovelace" are one key).
pub fn search_key(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ").to_lowercase()
}

/// `text` with `&`, `<`, `>`, `"` and `'` escaped, for HTML text and attribute values.
pub fn escape_html(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

/// An id written as a name: words split at `-`, `_` and spaces, each capitalised
/// (`northwood` → `Northwood`, `blue-sky_goods` → `Blue Sky Goods`); short all-letter ids, like a
/// carrier's (`ups`, `dhl`), in capitals.
pub fn title(id: &str) -> String {
    let id = id.trim();
    if (2..=3).contains(&id.chars().count()) && id.chars().all(|c| c.is_ascii_alphabetic()) {
        return id.to_ascii_uppercase();
    }
    id.split(['-', '_', ' '])
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut chars = w.chars();
            chars
                .next()
                .map(|first| first.to_uppercase().chain(chars).collect::<String>())
                .unwrap_or_default()
        })
        .collect::<Vec<_>>()
        .join(" ")
}

/// Who did something on an order, in the customer's words: `You` for the customer's own steps
/// (as a guest, signed in, or through a "Find my orders" link), the shop's name for staff and the
/// shop's own machinery, `Our partner` for a dropship supplier, the carrier's name for its
/// reports, `Your bank` for the payment provider's answers. `actor` is the stored kind of caller
/// (`customer`, `carrier:ups`, …).
pub fn actor_label(actor: &str, shop_name: &str) -> String {
    match actor {
        "anonymous" | "guest" | "customer" | "shopper" => "You".to_owned(),
        "supplier" => "Our partner".to_owned(),
        "payment-provider" => "Your bank".to_owned(),
        "channel" => "The marketplace".to_owned(),
        other => match other.strip_prefix("carrier:") {
            Some(carrier) => title(carrier),
            None => shop_name.to_owned(),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_read_as_names_and_actors_in_the_customers_words() {
        assert_eq!(title("northwood"), "Northwood");
        assert_eq!(title("blue-sky_goods"), "Blue Sky Goods");
        assert_eq!(title("ups"), "UPS");
        assert_eq!(title("east"), "East");
        let shop = "Lumen & Co";
        let said: Vec<String> = [
            "anonymous",
            "customer",
            "staff",
            "system",
            "messages",
            "supplier",
            "carrier:ups",
            "payment-provider",
        ]
        .iter()
        .map(|a| actor_label(a, shop))
        .collect();
        assert_eq!(said, ["You", "You", shop, shop, shop, "Our partner", "UPS", "Your bank"]);
    }

    #[test]
    fn html_escaping_leaves_no_markup_or_attribute_breakout() {
        assert_eq!(
            escape_html(r#"<a href="x">'&'</a>"#),
            "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;"
        );
        assert_eq!(escape_html("Crème brûlée ☕"), "Crème brûlée ☕");
    }

    #[test]
    fn dates_are_written_day_month_year() {
        let d = NaiveDate::from_ymd_opt(2026, 12, 5).unwrap();
        assert_eq!(date(d), "5 Dec 2026");
        assert_eq!(short_date(d), "Sat 5 Dec");
    }

    #[test]
    fn counts_agree_in_number() {
        assert_eq!(count(1, "item", "items"), "1 item");
        assert_eq!(count(0, "item", "items"), "0 items");
    }
}
