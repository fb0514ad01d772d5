//! The SKU sheet's header and rows, parsed once into domain types: every bad cell becomes a
//! [`RowError`] naming its row (as a spreadsheet numbers it) and its column (as the file titles
//! it), so one answer lists everything to fix.

use super::sheet::{Row, Value};
use super::{Field, IMPORT_ALIASES, REQUIRED, SKU_SHEET};
use crate::domain::types::{Category, Cents, Limit, Name, SkuCode, Units};
use serde::Serialize;

/// One thing wrong with the sheet.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct RowError {
    pub row: usize,
    pub column: String,
    pub reason: String,
}

/// The sheet's columns: where each field is, under what title, and the file's language.
#[derive(Debug)]
pub struct Header {
    /// `(field, position, title as written)`.
    columns: Vec<(Field, usize, String)>,
    chinese: bool,
}

impl Header {
    /// Reads the header row: every title must be known, every field given once, the required
    /// ones present. A title-less column is fine while it is empty.
    pub fn read(first: &Row, rows: &[Row]) -> Result<Header, Vec<RowError>> {
        let mut header = Header {
            columns: Vec::new(),
            chinese: false,
        };
        let mut errors = Vec::new();
        let bad = |column: &str, reason: String| RowError {
            row: first.number,
            column: column.to_owned(),
            reason,
        };
        for (at, value) in first.values.iter().enumerate() {
            let title = cell_text(value);
            if title.is_empty() {
                let used = rows
                    .iter()
                    .any(|r| r.values.get(at).is_some_and(|v| !v.is_empty()));
                if used {
                    let reason = format!("column {} holds values but has no title", at + 1);
                    errors.push(bad("", reason));
                }
                continue;
            }
            match known(&title) {
                None => errors.push(bad(
                    &title,
                    format!("unknown column {title:?}; {}", known_titles()),
                )),
                Some((_, None)) => {}
                Some((chinese, Some(field))) => {
                    header.chinese |= chinese;
                    let price = |f: Field| matches!(f, Field::Price | Field::PriceCents);
                    match header
                        .columns
                        .iter()
                        .find(|(f, ..)| *f == field || (price(*f) && price(field)))
                    {
                        Some((_, _, other)) => errors.push(bad(
                            &title,
                            format!("the column {title:?} says again what {other:?} says"),
                        )),
                        None => header.columns.push((field, at, title)),
                    }
                }
            }
        }
        let has_price = header
            .position(Field::Price)
            .or(header.position(Field::PriceCents));
        let missing = REQUIRED.iter().filter(|f| header.position(**f).is_none());
        let missing = missing.chain(has_price.is_none().then_some(&Field::Price));
        for field in missing {
            let title = header.title(*field);
            errors.push(bad(&title, format!("the column {title:?} is missing")));
        }
        if errors.is_empty() {
            Ok(header)
        } else {
            Err(errors)
        }
    }

    fn position(&self, field: Field) -> Option<usize> {
        self.columns
            .iter()
            .find(|(f, ..)| *f == field)
            .map(|(_, at, _)| *at)
    }

    /// The field's title as the file writes it, or as the export would in the file's language.
    pub fn title(&self, field: Field) -> String {
        if let Some((_, _, title)) = self.columns.iter().find(|(f, ..)| *f == field) {
            return title.clone();
        }
        let field = if field == Field::PriceCents {
            Field::Price
        } else {
            field
        };
        SKU_SHEET
            .iter()
            .find(|c| c.field == Some(field))
            .map(|c| if self.chinese { c.title.zh } else { c.title.en })
            .unwrap_or(field.api_name())
            .to_owned()
    }

    /// The title of the column that holds the domain's `field` (`buffer`, `on_hand`); the code's
    /// column when the domain names no field.
    pub fn title_of_api_field(&self, field: Option<&str>) -> String {
        let fields = [
            Field::Name,
            Field::Category,
            Field::OnHand,
            Field::Buffer,
            Field::PerBuyerLimit,
            Field::PresaleCap,
        ];
        let named = fields.into_iter().find(|f| Some(f.api_name()) == field);
        self.title(named.unwrap_or(Field::Sku))
    }
}

/// Whether the title is Chinese, and what it names: a field, or a read-only column (`None`).
fn known(title: &str) -> Option<(bool, Option<Field>)> {
    let wanted = title.to_lowercase();
    let exported = SKU_SHEET.iter().find_map(|c| {
        (c.title.zh == title)
            .then_some((true, c.field))
            .or((c.title.en == wanted).then_some((false, c.field)))
    });
    exported.or_else(|| {
        IMPORT_ALIASES
            .iter()
            .find(|(t, _)| *t == wanted)
            .map(|(_, f)| (false, *f))
    })
}

fn known_titles() -> String {
    let titles: Vec<String> = SKU_SHEET
        .iter()
        .filter(|c| c.field.is_some())
        .map(|c| format!("{} ({})", c.title.zh, c.title.en))
        .collect();
    format!("the columns are {} and price_cents", titles.join(", "))
}

/// One row of the sheet in domain types. `None` for a column the sheet does not have.
#[derive(Clone, Debug, PartialEq)]
pub struct SheetSku {
    pub row: usize,
    pub sku: SkuCode,
    pub name: Name,
    pub category: Category,
    pub price_cents: Cents,
    pub on_hand: Units,
    pub buffer: Option<Units>,
    pub per_buyer_limit: Option<Option<Limit>>,
    pub presale_cap: Option<Units>,
}

/// Parses every row under `header`; answers the good rows and an error for every bad cell.
pub fn parse(header: &Header, rows: &[Row]) -> (Vec<SheetSku>, Vec<RowError>) {
    let (mut good, mut errors) = (Vec::with_capacity(rows.len()), Vec::new());
    for row in rows {
        let before = errors.len();
        let cell = |field: Field| Cell {
            value: header
                .position(field)
                .map(|at| row.values.get(at).unwrap_or(&Value::Empty)),
            row: row.number,
            title: header.title(field),
        };
        let e = &mut errors;
        let sku = kept(e, cell(Field::Sku).required(|t| SkuCode::parse(&t)));
        let name = kept(e, cell(Field::Name).required(|t| Name::new(&t)));
        let category = kept(e, cell(Field::Category).required(|t| Category::new(&t)));
        let price_cents = kept(
            e,
            match header.position(Field::Price) {
                Some(_) => cell(Field::Price).required_value(|v| yuan(v).and_then(Cents::new)),
                None => cell(Field::PriceCents).required_value(|v| whole(v).and_then(Cents::new)),
            },
        );
        let units = |v: &Value| whole(v).and_then(Units::new);
        let on_hand = kept(e, cell(Field::OnHand).required_value(units));
        let buffer = kept(e, cell(Field::Buffer).optional(Units::default(), units));
        let limit = |v: &Value| whole(v).and_then(Limit::new).map(Some);
        let per_buyer_limit = kept(e, cell(Field::PerBuyerLimit).optional(None, limit));
        let presale_cap = kept(e, cell(Field::PresaleCap).optional(Units::default(), units));
        if errors.len() > before {
            continue;
        }
        let (Some(sku), Some(name), Some(category), Some(price_cents), Some(on_hand)) =
            (sku, name, category, price_cents, on_hand)
        else {
            unreachable!("a row without errors has every required field")
        };
        good.push(SheetSku {
            row: row.number,
            sku,
            name,
            category,
            price_cents,
            on_hand,
            buffer: buffer.flatten(),
            per_buyer_limit: per_buyer_limit.flatten(),
            presale_cap: presale_cap.flatten(),
        });
    }
    (good, errors)
}

/// The value, or `None` with its error recorded.
fn kept<T>(errors: &mut Vec<RowError>, parsed: Result<T, RowError>) -> Option<T> {
    parsed.map_err(|e| errors.push(e)).ok()
}

/// One cell being parsed, with where it is for the error.
struct Cell<'a> {
    /// `None` when the sheet has no such column.
    value: Option<&'a Value>,
    row: usize,
    title: String,
}

impl Cell<'_> {
    fn error(self, reason: String) -> RowError {
        RowError {
            row: self.row,
            column: self.title,
            reason,
        }
    }

    fn required_value<T>(
        self,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Result<T, RowError> {
        match self.value {
            Some(v) if !v.is_empty() => parse(v).map_err(|reason| self.error(reason)),
            _ => {
                let reason = format!("{} is required", self.title);
                Err(self.error(reason))
            }
        }
    }

    fn required<T>(self, parse: impl FnOnce(String) -> Result<T, String>) -> Result<T, RowError> {
        self.required_value(|v| parse(cell_text(v)))
    }

    /// `None` when the sheet has no such column; `blank` for an empty cell.
    fn optional<T>(
        self,
        blank: T,
        parse: impl FnOnce(&Value) -> Result<T, String>,
    ) -> Result<Option<T>, RowError> {
        match self.value {
            None => Ok(None),
            Some(v) if v.is_empty() => Ok(Some(blank)),
            Some(v) => parse(v).map(Some).map_err(|reason| self.error(reason)),
        }
    }
}

/// A cell as trimmed text; a number as a spreadsheet would show it (`12`, not `12.0`).
fn cell_text(v: &Value) -> String {
    match v {
        Value::Empty => String::new(),
        Value::Text(s) => s
            .trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
            .to_owned(),
        Value::Number(x) if x.fract() == 0.0 && x.abs() < 1e15 => format!("{}", *x as i64),
        Value::Number(x) => x.to_string(),
    }
}

/// A whole number of units or cents.
fn whole(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(x) if x.is_finite() && x.fract() == 0.0 && x.abs() < 9e15 => Ok(*x as i64),
        Value::Number(x) => Err(format!("must be a whole number, not {x}")),
        _ => {
            let t = cell_text(v);
            t.parse::<i64>()
                .map_err(|_| format!("must be a whole number, not {t:?}"))
        }
    }
}

/// A price in yuan with at most two decimals, as cents. Text is read exactly (`59.90` → 5990,
/// never through a float); a numeric XLSX cell is rounded to the cent only when it is a cent
/// amount up to float noise (`65.89000000000001`), and refused when it has more decimals.
fn yuan(v: &Value) -> Result<i64, String> {
    match v {
        Value::Number(x) => {
            let cents = x * 100.0;
            let rounded = cents.round();
            let noise = (cents.abs() * 1e-12).max(1e-6);
            if !cents.is_finite() || rounded.abs() > 9e15 {
                Err(format!("{x} is not a price"))
            } else if (cents - rounded).abs() > noise {
                Err(format!(
                    "a price has at most 2 decimals (yuan and fen), not {x}"
                ))
            } else {
                Ok(rounded as i64)
            }
        }
        _ => yuan_text(&cell_text(v)),
    }
}

fn yuan_text(raw: &str) -> Result<i64, String> {
    let bad =
        || format!("must be a price in yuan with at most 2 decimals, such as 59.90, not {raw:?}");
    let t = raw.trim_start_matches(['¥', '￥']).trim();
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if whole.is_empty() || !digits(whole) || !digits(frac) {
        return Err(bad());
    }
    if frac.len() > 2 {
        return Err(format!(
            "a price has at most 2 decimals (yuan and fen), not {raw:?}"
        ));
    }
    let yuan: i64 = whole.parse().map_err(|_| bad())?;
    let fen: i64 = format!("{frac:0<2}").parse().map_err(|_| bad())?;
    yuan.checked_mul(100)
        .and_then(|c| c.checked_add(fen))
        .ok_or_else(bad)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prices_in_yuan_are_read_exactly_and_more_than_two_decimals_are_refused() {
        let text = |s: &str| yuan(&Value::Text(s.to_owned()));
        assert_eq!(text("59.90"), Ok(5990));
        assert_eq!(text("59.9"), Ok(5990));
        assert_eq!(text("¥199"), Ok(19900));
        assert_eq!(text("0.07"), Ok(7));
        assert!(text("59.999").is_err());
        assert!(text("-1").is_err());
        assert!(text("1e3").is_err());
        assert!(text(".5").is_err());
        assert!(text("99999999999999999999").is_err());
        let number = |x: f64| yuan(&Value::Number(x));
        assert_eq!(number(59.9), Ok(5990));
        assert_eq!(number(0.1 + 0.2), Ok(30));
        assert_eq!(number(65.89000000000001), Ok(6589));
        assert_eq!(number(99_999_999.99), Ok(9_999_999_999));
        assert!(number(59.999).is_err());
        assert!(number(f64::NAN).is_err());
    }

    #[test]
    fn units_are_whole_numbers_from_text_or_numeric_cells() {
        assert_eq!(whole(&Value::Text(" 5000 ".to_owned())), Ok(5000));
        assert_eq!(whole(&Value::Number(12.0)), Ok(12));
        assert!(whole(&Value::Number(1.5)).is_err());
        assert!(whole(&Value::Text("5千".to_owned())).is_err());
    }
}
