//! Tables for people with spreadsheets: every export and report (SKUs, movements, the daily report,
//! the review) is built as one [`Table`] of typed cells and written as CSV or XLSX from here, so
//! each looks the same in Excel: Chinese column titles by default, money as yuan, a frozen header
//! row and columns wide enough for what they hold.

use super::error::ApiError;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use rust_xlsxwriter::{Format as CellFormat, Workbook};

/// The most rows one table holds (an XLSX sheet holds 1,048,576; a download should stay sane).
pub const TABLE_ROWS_MAX: usize = 200_000;

/// One cell, typed so that money stays money and counts stay numbers in the spreadsheet.
#[derive(Clone, Debug, PartialEq)]
pub enum Cell {
    Text(String),
    Int(i64),
    /// Money in cents: written as yuan (`59.90` in CSV, a number formatted `¥0.00` in XLSX).
    Money(i64),
    /// A ratio 0–1, written as a percentage.
    Ratio(f64),
    Empty,
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Cell::Text(s.to_owned())
    }
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Cell::Text(s)
    }
}

impl From<i64> for Cell {
    fn from(n: i64) -> Self {
        Cell::Int(n)
    }
}

impl<T: Into<Cell>> From<Option<T>> for Cell {
    fn from(v: Option<T>) -> Self {
        v.map_or(Cell::Empty, Into::into)
    }
}

/// A column's title in both languages.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Column {
    pub zh: &'static str,
    pub en: &'static str,
}

/// The language of the column titles.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Lang {
    #[default]
    Zh,
    En,
}

impl Lang {
    /// `?lang=zh|en`, Chinese when absent.
    pub fn parse(raw: Option<&str>) -> Result<Lang, ApiError> {
        match raw {
            None | Some("zh") => Ok(Lang::Zh),
            Some("en") => Ok(Lang::En),
            Some(other) => Err(ApiError::invalid(
                "lang",
                format!("lang must be zh or en, not {other:?}"),
            )),
        }
    }
}

/// How a table is sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xlsx,
}

impl Format {
    /// `?format=`: `default` when absent; one of `allowed` otherwise, else 422 naming `format`.
    pub fn parse(
        raw: Option<&str>,
        default: Format,
        allowed: &[Format],
    ) -> Result<Format, ApiError> {
        let Some(raw) = raw else {
            return Ok(default);
        };
        let format = match raw {
            "json" => Some(Format::Json),
            "csv" => Some(Format::Csv),
            "xlsx" => Some(Format::Xlsx),
            _ => None,
        };
        match format {
            Some(f) if allowed.contains(&f) => Ok(f),
            _ => {
                let names: Vec<&str> = allowed.iter().map(|f| f.name()).collect();
                Err(ApiError::invalid(
                    "format",
                    format!("format must be one of {}, not {raw:?}", names.join(", ")),
                ))
            }
        }
    }

    /// Every format: a resource's JSON, or its table as a download.
    pub const ALL: &'static [Format] = &[Format::Json, Format::Csv, Format::Xlsx];

    /// `?format=` and `?lang=` of a resource that downloads as a table, each refused naming it.
    pub fn parse_with_lang(
        format: Option<&str>,
        lang: Option<&str>,
        default: Format,
        allowed: &[Format],
    ) -> Result<(Format, Lang), ApiError> {
        Ok((Format::parse(format, default, allowed)?, Lang::parse(lang)?))
    }

    pub fn name(self) -> &'static str {
        match self {
            Format::Json => "json",
            Format::Csv => "csv",
            Format::Xlsx => "xlsx",
        }
    }
}

/// A sheet of rows under titled columns.
#[derive(Clone, Debug, PartialEq)]
pub struct Table {
    /// The sheet's name in XLSX (at most 31 characters are kept).
    pub sheet: String,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Cell>>,
}

impl Table {
    pub fn new(sheet: impl Into<String>, columns: &[Column]) -> Self {
        Table {
            sheet: sheet.into(),
            columns: columns.to_vec(),
            rows: Vec::new(),
        }
    }

    /// Adds a row; it must have one cell per column.
    pub fn push(&mut self, row: Vec<Cell>) {
        assert_eq!(row.len(), self.columns.len(), "one cell per column");
        self.rows.push(row);
    }

    fn titles(&self, lang: Lang) -> Vec<&'static str> {
        self.columns
            .iter()
            .map(|c| if lang == Lang::Zh { c.zh } else { c.en })
            .collect()
    }

    /// UTF-8 CSV with a byte-order mark, so Excel on a Chinese Windows opens it right.
    pub fn to_csv(&self, lang: Lang) -> Vec<u8> {
        let mut out = Vec::with_capacity(64 * (self.rows.len() + 1));
        out.extend_from_slice("\u{feff}".as_bytes());
        let mut w = csv::Writer::from_writer(out);
        let written = w.write_record(self.titles(lang)).and_then(|()| {
            self.rows
                .iter()
                .try_for_each(|row| w.write_record(row.iter().map(csv_text)))
        });
        written.expect("writing CSV into memory cannot fail");
        w.into_inner()
            .expect("flushing CSV into memory cannot fail")
    }

    /// An XLSX workbook of one sheet: bold frozen header, money formatted `¥0.00`, ratios as
    /// percentages, each column as wide as its widest cell (a CJK character counts two).
    pub fn to_xlsx(&self, lang: Lang) -> Result<Vec<u8>, String> {
        let mut book = Workbook::new();
        let sheet = book.add_worksheet();
        let name: String = self.sheet.chars().take(31).collect();
        sheet
            .set_name(&name)
            .map_err(|e| format!("naming the sheet: {e}"))?;
        let bold = CellFormat::new().set_bold();
        let money = CellFormat::new().set_num_format("¥0.00");
        let percent = CellFormat::new().set_num_format("0.0%");
        let e = |e: rust_xlsxwriter::XlsxError| e.to_string();
        for (c, title) in self.titles(lang).into_iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, title, &bold)
                .map_err(e)?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let r = r as u32 + 1;
            for (c, cell) in row.iter().enumerate() {
                let c = c as u16;
                match cell {
                    Cell::Text(s) => sheet.write_string(r, c, s).map(|_| ()),
                    Cell::Int(n) => sheet.write_number(r, c, *n as f64).map(|_| ()),
                    Cell::Money(cents) => sheet
                        .write_number_with_format(r, c, *cents as f64 / 100.0, &money)
                        .map(|_| ()),
                    Cell::Ratio(x) => sheet
                        .write_number_with_format(r, c, *x, &percent)
                        .map(|_| ()),
                    Cell::Empty => Ok(()),
                }
                .map_err(e)?;
            }
        }
        sheet.set_freeze_panes(1, 0).map_err(e)?;
        for (c, width) in self.widths(lang).into_iter().enumerate() {
            sheet.set_column_width(c as u16, width).map_err(e)?;
        }
        book.save_to_buffer().map_err(e)
    }

    /// Each column's width in characters: the widest of its title and cells, plus a margin.
    fn widths(&self, lang: Lang) -> Vec<f64> {
        self.titles(lang)
            .iter()
            .enumerate()
            .map(|(c, title)| {
                let widest = self
                    .rows
                    .iter()
                    .map(|row| display_width(&csv_text(&row[c])))
                    .chain(std::iter::once(display_width(title)))
                    .max()
                    .unwrap_or(0);
                (widest as f64 + 2.0).clamp(6.0, 60.0)
            })
            .collect()
    }

    /// The table as a download in `format` (CSV or XLSX), named `stem.csv` / `stem.xlsx`.
    pub fn download(&self, format: Format, lang: Lang, stem: &str) -> Result<Response, ApiError> {
        let (bytes, mime) = match format {
            Format::Csv => (self.to_csv(lang), "text/csv; charset=utf-8"),
            Format::Xlsx => (
                self.to_xlsx(lang).map_err(ApiError::internal)?,
                "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            ),
            Format::Json => unreachable!("a JSON answer is the resource's own"),
        };
        let disposition = format!("attachment; filename=\"{stem}.{}\"", format.name());
        let mut response = bytes.into_response();
        let headers = response.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(mime));
        if let Ok(value) = HeaderValue::from_str(&disposition) {
            headers.insert(header::CONTENT_DISPOSITION, value);
        }
        Ok(response)
    }
}

/// A cell as text: what CSV holds, and what a column's width is measured on.
fn csv_text(cell: &Cell) -> String {
    match cell {
        Cell::Text(s) => s.clone(),
        Cell::Int(n) => n.to_string(),
        Cell::Money(cents) => yuan(*cents),
        Cell::Ratio(x) => format!("{:.1}%", x * 100.0),
        Cell::Empty => String::new(),
    }
}

/// Cents as yuan with two decimals: `5990` → `59.90`, `-5` → `-0.05`.
pub fn yuan(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

/// Columns a string takes in a spreadsheet: wide (CJK, full-width) characters count two.
fn display_width(s: &str) -> usize {
    s.chars()
        .map(|c| match c as u32 {
            0x1100..=0x115F
            | 0x2E80..=0xA4CF
            | 0xAC00..=0xD7A3
            | 0xF900..=0xFAFF
            | 0xFE30..=0xFE4F
            | 0xFF00..=0xFF60
            | 0xFFE0..=0xFFE6
            | 0x20000..=0x3FFFD => 2,
            _ => 1,
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    const COLUMNS: &[Column] = &[
        Column {
            zh: "商品编码",
            en: "SKU",
        },
        Column {
            zh: "单价",
            en: "Price",
        },
        Column {
            zh: "可售",
            en: "Available",
        },
    ];

    fn table() -> Table {
        let mut t = Table::new("库存", COLUMNS);
        t.push(vec!["HOODIE-BLK-L".into(), Cell::Money(5990), 16.into()]);
        t.push(vec!["加绒卫衣".into(), Cell::Money(-5), Cell::Empty]);
        t
    }

    #[test]
    fn csv_starts_with_a_bom_and_holds_chinese_titles_and_money_in_yuan() {
        let text = String::from_utf8(table().to_csv(Lang::Zh)).unwrap();
        assert_eq!(
            text,
            "\u{feff}商品编码,单价,可售\nHOODIE-BLK-L,59.90,16\n加绒卫衣,-0.05,\n"
        );
        let en = String::from_utf8(table().to_csv(Lang::En)).unwrap();
        assert!(en.starts_with("\u{feff}SKU,Price,Available\n"), "{en}");
    }

    #[test]
    fn xlsx_is_a_zip_workbook_and_columns_fit_their_widest_cell() {
        let bytes = table().to_xlsx(Lang::Zh).unwrap();
        assert_eq!(&bytes[..4], b"PK\x03\x04");
        use calamine::{Data, Reader, Xlsx};
        let mut book = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        assert_eq!(book.sheet_names(), vec!["库存".to_owned()]);
        let range = book.worksheet_range("库存").unwrap();
        assert_eq!(range.get((0, 0)), Some(&Data::String("商品编码".into())));
        assert_eq!(range.get((1, 1)), Some(&Data::Float(59.9)));
        assert_eq!(range.get((1, 2)), Some(&Data::Float(16.0)));
        assert_eq!(range.get((2, 0)), Some(&Data::String("加绒卫衣".into())));
        let widths = table().widths(Lang::Zh);
        // "HOODIE-BLK-L" is 12 columns; 商品编码 is 8.
        assert_eq!(widths[0], 14.0);
        // "可售" is 4 columns, under the minimum of 6.
        assert_eq!(widths[2], 6.0);
    }

    #[test]
    fn a_format_outside_the_allowed_ones_is_refused_naming_format() {
        let allowed = [Format::Json, Format::Csv];
        assert_eq!(
            Format::parse(None, Format::Json, &allowed),
            Ok(Format::Json)
        );
        assert_eq!(
            Format::parse(Some("csv"), Format::Json, &allowed),
            Ok(Format::Csv)
        );
        let err = Format::parse(Some("xlsx"), Format::Json, &allowed).unwrap_err();
        assert_eq!(err.field.as_deref(), Some("format"));
        assert!(Format::parse(Some("pdf"), Format::Json, &allowed).is_err());
    }

    #[test]
    fn yuan_has_two_decimals_for_any_cents() {
        assert_eq!(yuan(0), "0.00");
        assert_eq!(yuan(19900), "199.00");
        assert_eq!(yuan(-123456), "-1234.56");
        assert_eq!(yuan(i64::MIN), "-92233720368547758.08");
    }
}
