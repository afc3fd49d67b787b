//! The calendar of license expiry dates: `YYYY-MM-DD` and
//! `YYYY-MM-DD HH:MM:SS`, UTC, to Unix seconds.

/// `YYYY-MM-DD` (end of that day) or `YYYY-MM-DD HH:MM:SS`, UTC.
pub(crate) fn parse_utc(text: &str) -> Option<i64> {
    let b = text.as_bytes();
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let s = b.get(r)?;
        if s.iter().all(u8::is_ascii_digit) {
            std::str::from_utf8(s).ok()?.parse().ok()
        } else {
            None
        }
    };
    if b.len() != 10 && b.len() != 19 {
        return None;
    }
    if b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let (y, mo, d) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let (h, mi, s) = if b.len() == 19 {
        if b[10] != b' ' || b[13] != b':' || b[16] != b':' {
            return None;
        }
        (digits(11..13)?, digits(14..16)?, digits(17..19)?)
    } else {
        (23, 59, 59)
    };
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let month_days = [
        31,
        if leap { 29 } else { 28 },
        31,
        30,
        31,
        30,
        31,
        31,
        30,
        31,
        30,
        31,
    ];
    if !(1..=12).contains(&mo) || d < 1 || d > month_days[(mo - 1) as usize] {
        return None;
    }
    if h > 23 || mi > 59 || s > 59 {
        return None;
    }
    Some(days_from_civil(y, mo, d) * 86_400 + h * 3600 + mi * 60 + s)
}

/// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
/// algorithm).
fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates() {
        assert_eq!(parse_utc("1970-01-01 00:00:00"), Some(0));
        assert_eq!(parse_utc("1970-01-01"), Some(86_399));
        assert_eq!(parse_utc("2026-01-01 00:00:00"), Some(1_767_225_600));
        assert_eq!(parse_utc("2024-02-29 12:00:00"), Some(1_709_208_000));
        assert_eq!(parse_utc("1969-12-31 23:59:59"), Some(-1));
        for bad in [
            "2023-02-29",
            "2026-13-01",
            "2026-00-10",
            "2026-01-32",
            "2026-01-01T00:00:00",
            "2026-01-01 24:00:00",
            "2026-1-01",
            "+026-01-01",
            "",
            "2026-01-01 00:00",
        ] {
            assert_eq!(parse_utc(bad), None, "{bad}");
        }
    }
}
