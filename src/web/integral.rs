//! Integers written with a zero fraction or an exponent (`100.0`, `1e2`, `2.50e1`). JSON Schema's
//! `integer` admits every number whose fraction is zero, and the document says `integer`, so the
//! API takes them too: before a body is parsed, each such number outside a string is rewritten as
//! the integer it is. Any other number stays as written: `1.5` where an integer is wanted is still
//! 422 `invalid`, and a float field reads `2` as it read `2.0`.

use std::borrow::Cow;

/// The most digits an integer is rewritten to: more than any `i64` or `u64` holds, so a larger
/// number is left as written (and refused as out of range where an integer is wanted).
const DIGITS_MAX: usize = 21;

/// `json` with every integral number that has a fraction or an exponent written as an integer;
/// borrowed when there is none (the usual case: no copy).
pub fn integral_numbers(json: &[u8]) -> Cow<'_, [u8]> {
    let mut out: Option<Vec<u8>> = None;
    let (mut i, mut copied) = (0, 0);
    let (mut in_string, mut escaped) = (false, false);
    while i < json.len() {
        let b = json[i];
        if in_string {
            match b {
                _ if escaped => escaped = false,
                b'\\' => escaped = true,
                b'"' => in_string = false,
                _ => {}
            }
            i += 1;
            continue;
        }
        if b == b'"' {
            in_string = true;
            i += 1;
            continue;
        }
        if b != b'-' && !b.is_ascii_digit() {
            i += 1;
            continue;
        }
        // Outside strings only numbers hold digits or `-` (true, false and null hold neither).
        let end = json[i..]
            .iter()
            .position(|c| !matches!(c, b'0'..=b'9' | b'-' | b'+' | b'.' | b'e' | b'E'))
            .map_or(json.len(), |n| i + n);
        if let Some(integer) = as_integer(&json[i..end]) {
            let out = out.get_or_insert_with(|| Vec::with_capacity(json.len()));
            out.extend_from_slice(&json[copied..i]);
            out.extend_from_slice(integer.as_bytes());
            copied = end;
        }
        i = end;
    }
    match out {
        None => Cow::Borrowed(json),
        Some(mut out) => {
            out.extend_from_slice(&json[copied..]);
            Cow::Owned(out)
        }
    }
}

/// The integer a JSON number token is, when it has a fraction or an exponent and its value is
/// whole: `100.0` → `100`, `-1.5e1` → `-15`, `0.0` → `0`. `None` for a plain integer (nothing to
/// rewrite), a number with a fraction, one too large, and anything that is not a JSON number.
fn as_integer(token: &[u8]) -> Option<String> {
    let text = std::str::from_utf8(token).ok()?;
    let (negative, text) = match text.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, text),
    };
    let (mantissa, exponent) = match text.find(['e', 'E']) {
        Some(at) => (&text[..at], Some(&text[at + 1..])),
        None => (text, None),
    };
    let (whole, fraction) = match mantissa.split_once('.') {
        Some((w, f)) => (w, Some(f)),
        None => (mantissa, None),
    };
    let digits = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if !digits(whole) || (whole.len() > 1 && whole.starts_with('0')) {
        return None;
    }
    if fraction.is_some_and(|f| !digits(f)) || (fraction.is_none() && exponent.is_none()) {
        return None;
    }
    let exponent: i64 = match exponent {
        None => 0,
        Some(e) => {
            let unsigned = e.strip_prefix(['+', '-']).unwrap_or(e);
            if !digits(unsigned) || unsigned.len() > 4 {
                return None;
            }
            e.parse().ok()?
        }
    };
    // The digits with the point after `point` of them.
    let all: String = [whole, fraction.unwrap_or_default()].concat();
    let point = whole.len() as i64 + exponent;
    let (int_part, frac_part) = if point <= 0 {
        (String::new(), all.as_str())
    } else if point as usize >= all.len() {
        let zeros = point as usize - all.len();
        if zeros > DIGITS_MAX {
            return None;
        }
        (format!("{all}{}", "0".repeat(zeros)), "")
    } else {
        (all[..point as usize].to_owned(), &all[point as usize..])
    };
    if frac_part.bytes().any(|b| b != b'0') {
        return None;
    }
    let int_part = int_part.trim_start_matches('0');
    if int_part.len() > DIGITS_MAX {
        return None;
    }
    Some(match (int_part.is_empty(), negative) {
        (true, _) => "0".to_owned(),
        (false, true) => format!("-{int_part}"),
        (false, false) => int_part.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rewritten(json: &str) -> String {
        String::from_utf8(integral_numbers(json.as_bytes()).into_owned()).unwrap()
    }

    #[test]
    fn integral_numbers_with_a_fraction_or_an_exponent_become_integers() {
        assert_eq!(rewritten(r#"{"qty": 100.0}"#), r#"{"qty": 100}"#);
        assert_eq!(
            rewritten(r#"[1e2, 2.50e1, -3.000, 0.0, -0.0]"#),
            "[100, 25, -3, 0, 0]"
        );
        assert_eq!(rewritten(r#"{"a":{"b":[7.0]}}"#), r#"{"a":{"b":[7]}}"#);
        assert_eq!(rewritten("1500e-1"), "150");
        assert_eq!(rewritten("4937257.0"), "4937257");
        assert_eq!(rewritten("0.1e1"), "1");
    }

    #[test]
    fn other_numbers_strings_and_plain_integers_are_left_as_written() {
        for json in [
            r#"{"qty": 1.5}"#,
            r#"{"qty": 12}"#,
            r#"{"note": "100.0 units, 1e2"}"#,
            r#"{"note": "a \" 1.0 quote"}"#,
            "1e400",
            "01.0",
            "1.",
            "[true, false, null]",
        ] {
            assert_eq!(rewritten(json), json, "{json}");
        }
        assert!(matches!(
            integral_numbers(br#"{"qty": 12, "sku": "A-1.0"}"#),
            Cow::Borrowed(_)
        ));
    }

    #[test]
    fn a_whole_number_too_large_for_any_integer_type_is_left_as_written() {
        assert_eq!(rewritten("1e30"), "1e30");
        assert_eq!(rewritten("1e20"), "100000000000000000000");
    }
}
