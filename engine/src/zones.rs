//! Time zones of stores: a receipt is dated in its store's zone. The zones offered are those
//! of the markets Kassa serves (and UTC); the rules come from the tz database bundled in the
//! binary (jiff), so summer time and Iran's abolished one are right wherever Kassa runs.

use crate::money::Currency;
#[cfg(feature = "server")]
use crate::time::DAY_MILLIS;

/// The zones a store may choose, as the settings page lists them.
pub const OFFERED: &[&str] = &[
    "Asia/Jerusalem",
    "Asia/Tehran",
    "Europe/Athens",
    "Europe/Sofia",
    "Europe/Riga",
    "Europe/Vilnius",
    "Europe/Tallinn",
    "UTC",
];

/// A new store's zone, from its currency and language (it can change it in its settings).
pub fn default_for(currency: Currency, lang: &str) -> &'static str {
    match (currency.code(), lang) {
        ("IRR", _) => "Asia/Tehran",
        ("ILS", _) => "Asia/Jerusalem",
        ("BGN", _) => "Europe/Sofia",
        (_, "el") => "Europe/Athens",
        (_, "lv") => "Europe/Riga",
        _ => "UTC",
    }
}

#[cfg(feature = "server")]
/// The zone's offset from UTC at the instant `millis`, in milliseconds (0 for a zone the
/// database does not know).
pub fn offset_at(zone: &str, millis: i64) -> i64 {
    let Ok(tz) = jiff::tz::TimeZone::get(zone) else {
        return 0;
    };
    let Ok(at) = jiff::Timestamp::from_millisecond(millis) else {
        return 0;
    };
    i64::from(tz.to_offset(at).seconds()) * 1000
}

#[cfg(feature = "server")]
/// Unix milliseconds as the store's local day and time, written for `lang`
/// (`time::format_date_time_for`).
pub fn local_date_time(zone: &str, millis: i64, lang: &str) -> String {
    crate::time::format_date_time_for(millis + offset_at(zone, millis), lang)
}

#[cfg(feature = "server")]
/// The local day (days since 1970-01-01 on the zone's calendar) of the instant `millis`.
pub fn day_of(zone: &str, millis: i64) -> i64 {
    (millis + offset_at(zone, millis)).div_euclid(DAY_MILLIS)
}

#[cfg(feature = "server")]
/// The instant (Unix milliseconds) the zone's local day `day` begins.
pub fn day_start(zone: &str, day: i64) -> i64 {
    let midnight = day * DAY_MILLIS;
    // The offset of the instant itself: first guess it from the offset at UTC midnight.
    midnight - offset_at(zone, midnight - offset_at(zone, midnight))
}

#[cfg(feature = "server")]
/// An SQL expression for the local day of the instant in `column`, exact from `from` to
/// `to` (Unix milliseconds): one arm per offset the zone has in between (summer time), with
/// only numbers computed here in it.
pub fn day_sql(zone: &str, column: &str, from: i64, to: i64) -> String {
    let day = |offset: i64| format!("({column} + {offset}) / {DAY_MILLIS}");
    let mut arms = String::new();
    let mut offset = offset_at(zone, from);
    if let (Ok(tz), Ok(start)) = (
        jiff::tz::TimeZone::get(zone),
        jiff::Timestamp::from_millisecond(from),
    ) {
        for change in tz.following(start) {
            let at = change.timestamp().as_millisecond();
            if at >= to {
                break;
            }
            arms.push_str(&format!(" WHEN {column} < {at} THEN {}", day(offset)));
            offset = i64::from(change.offset().seconds()) * 1000;
        }
    }
    if arms.is_empty() {
        day(offset)
    } else {
        format!("CASE{arms} ELSE {} END", day(offset))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2026-07-01 09:00 UTC and 2026-01-01 09:00 UTC.
    const SUMMER: i64 = 1_782_896_400_000;
    const WINTER: i64 = 1_767_258_000_000;

    #[test]
    fn every_offered_zone_is_known_and_summer_time_is_kept() {
        for zone in OFFERED {
            assert!(jiff::tz::TimeZone::get(zone).is_ok(), "{zone}");
        }
        let hours = |zone, at| offset_at(zone, at) / 3_600_000;
        assert_eq!(
            (
                hours("Asia/Jerusalem", WINTER),
                hours("Asia/Jerusalem", SUMMER)
            ),
            (2, 3)
        );
        assert_eq!(
            (hours("Europe/Riga", WINTER), hours("Europe/Riga", SUMMER)),
            (2, 3)
        );
        // Iran keeps +3:30 all year since 2022.
        assert_eq!(offset_at("Asia/Tehran", SUMMER), 12_600_000);
        assert_eq!(offset_at("Asia/Tehran", WINTER), 12_600_000);
        assert_eq!(
            local_date_time("Asia/Tehran", SUMMER, "en"),
            "2026-07-01 12:30"
        );
        assert_eq!(
            local_date_time("Europe/Athens", WINTER, "el"),
            "01/01/2026 11:00"
        );
        assert_eq!(offset_at("Mars/Olympus", SUMMER), 0);
    }

    #[test]
    fn local_days_begin_at_local_midnight_in_summer_and_winter() {
        let day = |millis: i64| millis.div_euclid(DAY_MILLIS);
        // 2026-07-01 begins at 21:00 UTC the day before in Jerusalem (+3), 20:30 in Tehran.
        assert_eq!(
            day_start("Asia/Jerusalem", day(SUMMER)),
            day(SUMMER) * DAY_MILLIS - 3 * 3_600_000
        );
        assert_eq!(
            day_start("Asia/Tehran", day(SUMMER)),
            day(SUMMER) * DAY_MILLIS - 12_600_000
        );
        assert_eq!(
            day_start("Europe/Riga", day(WINTER)),
            day(WINTER) * DAY_MILLIS - 2 * 3_600_000
        );
        // 22:00 UTC on 30 June is already 1 July in Riga.
        assert_eq!(
            day_of("Europe/Riga", day(SUMMER) * DAY_MILLIS - 2 * 3_600_000),
            day(SUMMER)
        );
        assert_eq!(day_of("UTC", SUMMER), day(SUMMER));
    }

    #[test]
    fn the_day_expression_follows_summer_time() {
        // Riga changes its offset twice between January and December.
        let sql = day_sql("Europe/Riga", "t", WINTER, WINTER + 330 * DAY_MILLIS);
        assert_eq!(sql.matches(" WHEN ").count(), 2, "{sql}");
        assert!(sql.starts_with("CASE WHEN t < "), "{sql}");
        assert!(sql.contains("(t + 7200000)") && sql.contains("(t + 10800000)"));
        // Tehran has one offset: no CASE.
        assert_eq!(
            day_sql("Asia/Tehran", "t", WINTER, SUMMER),
            format!("(t + 12600000) / {DAY_MILLIS}")
        );
    }
}
