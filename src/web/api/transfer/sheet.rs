//! Reading an uploaded sheet: CSV (UTF-8 with or without a BOM, or GBK as Excel on a Chinese
//! Windows writes it) or XLSX, into rows of values numbered as a spreadsheet shows them (the
//! header is row 1). What the values mean is `rows.rs`'s business.

use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// The zip magic every XLSX file starts with.
pub const ZIP_MAGIC: &[u8] = b"PK\x03\x04";
const UTF8_BOM: &[u8] = b"\xEF\xBB\xBF";
/// The most columns a sheet may use (the export writes 18).
pub const COLUMNS_MAX: usize = 64;

/// One cell as the file holds it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    Empty,
    Text(String),
    /// A numeric XLSX cell (CSV holds text only).
    Number(f64),
}

impl Value {
    pub fn is_empty(&self) -> bool {
        match self {
            Value::Empty => true,
            Value::Text(s) => s.trim().is_empty(),
            Value::Number(_) => false,
        }
    }
}

/// A row of the sheet and its number as a spreadsheet shows it.
#[derive(Debug)]
pub struct Row {
    pub number: usize,
    pub values: Vec<Value>,
}

/// Why a file could not be read as a sheet at all.
#[derive(Debug, PartialEq)]
pub enum Unreadable {
    /// Neither UTF-8 nor GBK, not a workbook, or broken CSV: the reason.
    Garbled(String),
    /// More rows than `rows_max` (blank rows not counted).
    TooManyRows,
}

/// The rows of a CSV file that are not blank, at most `rows_max` of them.
pub fn read_csv(bytes: &[u8], rows_max: usize) -> Result<Vec<Row>, Unreadable> {
    let text = decode(bytes)?;
    let delimiter = sniff_delimiter(&text);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delimiter)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    // The spreadsheet row of the next record: one per record, plus the blank lines csv skips.
    let (mut number, mut next_line) = (0usize, 1u64);
    for record in reader.records() {
        let record = record.map_err(|e| Unreadable::Garbled(format!("the CSV is broken: {e}")))?;
        let line = record.position().map_or(next_line, |p| p.line());
        number += 1 + line.saturating_sub(next_line) as usize;
        let newlines: usize = record.iter().map(|f| f.matches('\n').count()).sum();
        next_line = line + 1 + newlines as u64;
        let values: Vec<Value> = record.iter().map(|f| Value::Text(f.to_owned())).collect();
        push_row(&mut rows, number, values, rows_max)?;
    }
    Ok(rows)
}

/// The rows of the first worksheet of an XLSX workbook that are not blank, at most `rows_max`.
/// Cells are streamed in sheet order, so a workbook is read only as far as the limits allow.
pub fn read_xlsx(bytes: &[u8], rows_max: usize) -> Result<Vec<Row>, Unreadable> {
    let garbled =
        |e: calamine::XlsxError| Unreadable::Garbled(format!("not a readable XLSX workbook: {e}"));
    let mut book = Xlsx::new(Cursor::new(bytes)).map_err(garbled)?;
    let Some(name) = book.sheet_names().first().cloned() else {
        return Err(Unreadable::Garbled(
            "the workbook has no worksheet".to_owned(),
        ));
    };
    let mut cells = book.worksheet_cells_reader(&name).map_err(garbled)?;
    let mut rows = Vec::new();
    // The row being gathered: its index (from 0) and its values so far.
    let mut current: Option<(u32, Vec<Value>)> = None;
    while let Some(cell) = cells.next_cell().map_err(garbled)? {
        let (r, c) = cell.get_position();
        let c = c as usize;
        if c >= COLUMNS_MAX {
            return Err(Unreadable::Garbled(format!(
                "a sheet has at most {COLUMNS_MAX} columns; row {} has a value in column {}",
                r + 1,
                c + 1
            )));
        }
        if let Some((row, values)) = current.take_if(|(row, _)| *row != r) {
            push_row(&mut rows, row as usize + 1, values, rows_max)?;
        }
        let (_, values) = current.get_or_insert_with(|| (r, Vec::new()));
        if values.len() <= c {
            values.resize(c + 1, Value::Empty);
        }
        values[c] = value_of(&Data::from(cell.get_value().clone()));
    }
    if let Some((row, values)) = current {
        push_row(&mut rows, row as usize + 1, values, rows_max)?;
    }
    Ok(rows)
}

/// Keeps a row that is not blank, refusing one more than `rows_max`.
fn push_row(
    rows: &mut Vec<Row>,
    number: usize,
    values: Vec<Value>,
    rows_max: usize,
) -> Result<(), Unreadable> {
    if values.iter().all(Value::is_empty) {
        return Ok(());
    }
    if rows.len() >= rows_max {
        return Err(Unreadable::TooManyRows);
    }
    rows.push(Row { number, values });
    Ok(())
}

fn value_of(cell: &Data) -> Value {
    match cell {
        Data::Empty => Value::Empty,
        Data::Int(n) => Value::Number(*n as f64),
        Data::Float(x) => Value::Number(*x),
        Data::String(s) => Value::Text(s.clone()),
        Data::Bool(b) => Value::Text(b.to_string()),
        Data::DateTimeIso(s) | Data::DurationIso(s) => Value::Text(s.clone()),
        Data::DateTime(d) => Value::Text(d.to_string()),
        Data::Error(e) => Value::Text(format!("#{e}")),
    }
}

/// The file as text: UTF-8 (a BOM is dropped), else GBK, else refused.
fn decode(bytes: &[u8]) -> Result<String, Unreadable> {
    let bytes = bytes.strip_prefix(UTF8_BOM).unwrap_or(bytes);
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Ok(text.to_owned());
    }
    encoding_rs::GBK
        .decode_without_bom_handling_and_without_replacement(bytes)
        .map(|text| text.into_owned())
        .ok_or_else(|| Unreadable::Garbled("the file is neither UTF-8 nor GBK text".to_owned()))
}

/// The delimiter of the header line: a comma, unless tabs or semicolons are more frequent (Excel
/// writes `;` where the comma is the decimal mark, and "text" exports are tab-separated).
fn sniff_delimiter(text: &str) -> u8 {
    let header = text.lines().next().unwrap_or_default();
    [b',', b'\t', b';']
        .into_iter()
        .max_by_key(|d| (header.bytes().filter(|b| b == d).count(), *d == b','))
        .unwrap_or(b',')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(rows: &[Row]) -> Vec<(usize, Vec<String>)> {
        rows.iter()
            .map(|r| {
                let cells = r
                    .values
                    .iter()
                    .map(|v| match v {
                        Value::Text(s) => s.clone(),
                        other => format!("{other:?}"),
                    })
                    .collect();
                (r.number, cells)
            })
            .collect()
    }

    #[test]
    fn csv_rows_keep_their_spreadsheet_numbers_across_blank_lines_and_quoted_newlines() {
        let csv = "\u{feff}sku,name\nA,\"two\nlines\"\n\n,\nB,b\n";
        let rows = read_csv(csv.as_bytes(), 10).unwrap();
        assert_eq!(
            texts(&rows),
            vec![
                (1, vec!["sku".to_owned(), "name".to_owned()]),
                (2, vec!["A".to_owned(), "two\nlines".to_owned()]),
                (5, vec!["B".to_owned(), "b".to_owned()]),
            ]
        );
    }

    #[test]
    fn gbk_text_is_decoded_and_tab_separated_files_are_recognised() {
        let (gbk, _, _) = encoding_rs::GBK.encode("商品编码\t商品名称\nA\t卫衣\n");
        let rows = read_csv(&gbk, 10).unwrap();
        assert_eq!(
            texts(&rows)[1],
            (2, vec!["A".to_owned(), "卫衣".to_owned()])
        );
        assert!(matches!(
            read_csv(b"\xff\xfe\xff", 10),
            Err(Unreadable::Garbled(_))
        ));
    }

    #[test]
    fn more_rows_than_allowed_are_refused_and_blank_ones_do_not_count() {
        assert_eq!(read_csv(b"h\n1\n2\n", 3).map(|r| r.len()), Ok(3));
        assert_eq!(read_csv(b"h\n\n,\n1\n", 2).map(|r| r.len()), Ok(2));
        assert!(matches!(
            read_csv(b"h\n1\n2\n3\n", 3),
            Err(Unreadable::TooManyRows)
        ));
    }

    #[test]
    fn xlsx_rows_keep_their_numbers_and_a_sheet_too_wide_is_refused() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        sheet.write_string(0, 0, "sku").unwrap();
        sheet.write_number(3, 1, 5.0).unwrap();
        let rows = read_xlsx(&book.save_to_buffer().unwrap(), 10).unwrap();
        let numbers: Vec<usize> = rows.iter().map(|r| r.number).collect();
        assert_eq!(numbers, [1, 4]);
        assert_eq!(rows[1].values, [Value::Empty, Value::Number(5.0)]);
        let mut wide = rust_xlsxwriter::Workbook::new();
        wide.add_worksheet()
            .write_string(1, COLUMNS_MAX as u16, "x")
            .unwrap();
        let refused = read_xlsx(&wide.save_to_buffer().unwrap(), 10);
        assert!(
            matches!(refused, Err(Unreadable::Garbled(_))),
            "{refused:?}"
        );
    }

    #[test]
    fn a_broken_workbook_is_garbled_not_a_panic() {
        assert!(matches!(
            read_xlsx(b"PK\x03\x04nonsense", 10),
            Err(Unreadable::Garbled(_))
        ));
    }
}
