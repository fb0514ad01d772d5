//! The daily movement report (SPEC E1): a date in the shop's zone becomes `[from_ms, to_ms)`, the
//! published ledger gives each SKU's row, the stock views give the names. Columns, on the on-hand
//! basis: `opening + received - shipped + adjusted = closing`; `sold`, `refunded`, `damaged`,
//! `counted` and `variance` are informational (see `domain::reports::ledger`).

use crate::domain::reports::DailyRow;
use crate::engine::Engine;
use crate::web::error::ApiError;
use crate::web::tabular::{Cell, Column, Lang, Table};
use jiff::Timestamp;
use jiff::civil::Date;
use jiff::tz::TimeZone;
use serde::Serialize;

/// The report of one day, as `GET /api/v1/reports/daily` answers it in JSON.
#[derive(Clone, Debug, Serialize)]
pub struct DailyReport {
    /// `YYYY-MM-DD` in the shop's zone.
    pub date: String,
    pub timezone: String,
    /// The day's bounds as RFC 3339 instants in the shop's zone: `[from, to)`.
    pub from: String,
    pub to: String,
    pub rows: Vec<ReportRow>,
    /// Every column summed over the SKUs.
    pub totals: Totals,
}

/// One SKU's row with its catalog name.
#[derive(Clone, Debug, Serialize)]
pub struct ReportRow {
    pub name: String,
    pub category: String,
    #[serde(flatten)]
    pub row: DailyRow,
}

#[derive(Clone, Debug, Default, Serialize)]
pub struct Totals {
    pub opening: i64,
    pub received: i64,
    pub sold: i64,
    pub refunded: i64,
    pub shipped: i64,
    pub adjusted: i64,
    pub damaged: i64,
    pub closing: i64,
    pub counted: i64,
    pub variance: i64,
}

impl Totals {
    fn of(r: &DailyRow) -> Totals {
        let mut t = Totals::default();
        t.add(r);
        t
    }

    fn add(&mut self, r: &DailyRow) {
        self.opening += r.opening;
        self.received += r.received;
        self.sold += r.sold;
        self.refunded += r.refunded;
        self.shipped += r.shipped;
        self.adjusted += r.adjusted;
        self.damaged += r.damaged;
        self.closing += r.closing;
        self.counted += r.counted;
        self.variance += r.variance;
    }
}

/// The first day a report covers: the journal's times are epoch milliseconds, so no book is older,
/// and before it a zone's offset may be its local mean time (Shanghai's +08:05:43), which RFC 3339
/// cannot write.
const FIRST_DAY: Date = jiff::civil::date(1970, 1, 1);

/// `?date=`: a calendar day written `YYYY-MM-DD`, from [`FIRST_DAY`] on.
pub fn parse_date(raw: &str) -> Result<Date, ApiError> {
    let bad = || {
        ApiError::invalid(
            "date",
            format!("date must be a day written YYYY-MM-DD, such as 2026-11-24, not {raw:?}"),
        )
    };
    if raw.len() != 10 {
        return Err(bad());
    }
    let date = raw.parse::<Date>().map_err(|_| bad())?;
    if date < FIRST_DAY {
        return Err(ApiError::invalid(
            "date",
            format!("date must be {FIRST_DAY} or later, not {raw}"),
        ));
    }
    Ok(date)
}

/// Today in the shop's zone at `now_ms`.
pub fn today(now_ms: i64, zone: &TimeZone) -> Date {
    Timestamp::from_millisecond(now_ms)
        .unwrap_or(Timestamp::UNIX_EPOCH)
        .to_zoned(zone.clone())
        .date()
}

/// The day's bounds in the zone, as `[from_ms, to_ms)` and their RFC 3339 spellings. A day of a
/// summer-time change is 23 or 25 hours long; it starts at its first instant when midnight is
/// skipped.
pub fn day_bounds(date: Date, zone: &TimeZone) -> Result<[Instant; 2], ApiError> {
    let out_of_range =
        |e: jiff::Error| ApiError::invalid("date", format!("date is out of range: {e}"));
    let start = date.to_zoned(zone.clone()).map_err(out_of_range)?;
    let end = date
        .tomorrow()
        .and_then(|d| d.to_zoned(zone.clone()))
        .map_err(out_of_range)?;
    let at = |z: &jiff::Zoned| {
        (
            z.timestamp().as_millisecond(),
            z.strftime("%Y-%m-%dT%H:%M:%S%:z").to_string(),
        )
    };
    Ok([at(&start), at(&end)])
}

/// An instant as ms since the epoch and as RFC 3339 in the shop's zone.
pub type Instant = (i64, String);

impl DailyReport {
    /// The report of `date` in `zone`, from what the engine published.
    pub fn build(engine: &Engine, zone: &TimeZone, date: Date) -> Result<Self, ApiError> {
        let [(from_ms, from), (to_ms, to)] = day_bounds(date, zone)?;
        let mut totals = Totals::default();
        let rows = engine
            .daily(from_ms, to_ms)
            .into_iter()
            .map(|row| {
                totals.add(&row);
                let (name, category) = engine
                    .view(&row.sku)
                    .map(|v| (v.name, v.category))
                    .unwrap_or_default();
                ReportRow {
                    name,
                    category,
                    row,
                }
            })
            .collect();
        Ok(DailyReport {
            date: date.to_string(),
            timezone: zone.iana_name().unwrap_or("UTC").to_owned(),
            from,
            to,
            rows,
            totals,
        })
    }
}

/// The columns of the CSV and XLSX, in API.md's order after the product.
const COLUMNS: [Column; 12] = [
    Column {
        zh: "商品编码",
        en: "sku",
    },
    Column {
        zh: "商品名称",
        en: "name",
    },
    Column {
        zh: "期初",
        en: "opening",
    },
    Column {
        zh: "入库",
        en: "received",
    },
    Column {
        zh: "销售",
        en: "sold",
    },
    Column {
        zh: "退款",
        en: "refunded",
    },
    Column {
        zh: "发货",
        en: "shipped",
    },
    Column {
        zh: "调整",
        en: "adjusted",
    },
    Column {
        zh: "不良",
        en: "damaged",
    },
    Column {
        zh: "期末",
        en: "closing",
    },
    Column {
        zh: "盘点数",
        en: "counted",
    },
    Column {
        zh: "盘点差异",
        en: "variance",
    },
];

impl DailyReport {
    /// The report as a sheet: one row per SKU, then the totals.
    pub fn table(&self) -> Table {
        let mut table = Table::new(format!("日报 {}", self.date), &COLUMNS);
        let numbers = |r: &Totals| {
            [
                r.opening, r.received, r.sold, r.refunded, r.shipped, r.adjusted, r.damaged,
                r.closing, r.counted, r.variance,
            ]
            .map(Cell::Int)
        };
        for r in &self.rows {
            let mut row = vec![Cell::from(r.row.sku.as_str()), Cell::from(r.name.as_str())];
            row.extend(numbers(&Totals::of(&r.row)));
            table.push(row);
        }
        let mut total = vec![Cell::from("合计 total"), Cell::Empty];
        total.extend(numbers(&self.totals));
        table.push(total);
        table
    }
}

/// The report as the CSV the download gives (Chinese titles), for the copy filed at a show's end.
pub fn csv(report: &DailyReport) -> Vec<u8> {
    report.table().to_csv(Lang::Zh)
}
