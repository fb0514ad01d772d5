//! Import and export for people who live in Excel (SPEC A8, E1): `POST /api/v1/import` (a CSV or
//! XLSX sheet of SKUs, all or nothing), `GET /api/v1/export/skus` (the catalog with its stock
//! view) and `GET /api/v1/movements` (the audit trail of a time range). Here: who may call them,
//! and the one column list of the SKU sheet that the export writes and the import reads, so an
//! export imports back unchanged.

pub mod export;
pub mod import;
mod rows;
mod sheet;

use crate::web::auth::Role;
use crate::web::tabular::Column;

/// Roles that import: those that create SKUs (`api::CATALOG_ROLES`).
const IMPORT_ROLES: &[Role] = &[Role::Operator];
/// Every role may export what it may read.
const READ_ROLES: &[Role] = &Role::ALL;

/// What the importer reads from a column of the SKU sheet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum Field {
    Sku,
    Name,
    Category,
    /// The unit price in yuan (`59.90`).
    Price,
    /// The unit price in integer cents (`5990`).
    PriceCents,
    OnHand,
    Buffer,
    PerBuyerLimit,
    PresaleCap,
}

impl Field {
    /// The name the domain and the JSON API give the field.
    fn api_name(self) -> &'static str {
        match self {
            Field::Sku => "sku",
            Field::Name => "name",
            Field::Category => "category",
            Field::Price | Field::PriceCents => "price_cents",
            Field::OnHand => "on_hand",
            Field::Buffer => "buffer",
            Field::PerBuyerLimit => "per_buyer_limit",
            Field::PresaleCap => "presale_cap",
        }
    }
}

/// A column of the SKU sheet: its titles, and the field the importer reads from it (`None`: a
/// column of the stock view that the import ignores, such as 可售).
struct SheetColumn {
    title: Column,
    field: Option<Field>,
}

const fn col(zh: &'static str, en: &'static str, field: Option<Field>) -> SheetColumn {
    SheetColumn {
        title: Column { zh, en },
        field,
    }
}

/// The SKU sheet as exported, in order. English titles are the JSON API's names, but for money,
/// which the sheet holds in yuan (`price`, `gmv`).
const SKU_SHEET: &[SheetColumn] = &[
    col("商品编码", "sku", Some(Field::Sku)),
    col("商品名称", "name", Some(Field::Name)),
    col("类目", "category", Some(Field::Category)),
    col("单价", "price", Some(Field::Price)),
    col("库存", "on_hand", Some(Field::OnHand)),
    col("不良", "damaged", None),
    col("安全库存", "buffer", Some(Field::Buffer)),
    col("待付款", "held", None),
    col("待发货", "committed", None),
    col("可售", "available", None),
    col("限购", "per_buyer_limit", Some(Field::PerBuyerLimit)),
    col("预售上限", "presale_cap", Some(Field::PresaleCap)),
    col("预售已售", "presale_sold", None),
    col("已售", "sold_units", None),
    col("成交额", "gmv", None),
    col("售出率", "sell_through", None),
    col("预警基数", "base", None),
    col("预警级别", "level", None),
];

/// Titles the importer knows beyond the exported ones: the price in cents as the JSON API has
/// it, and the stock view's other fields (read-only, ignored).
const IMPORT_ALIASES: &[(&str, Option<Field>)] = &[
    ("price_cents", Some(Field::PriceCents)),
    ("gmv_cents", None),
    ("rate_per_min", None),
    ("sellout_minutes", None),
];

/// The fields a sheet must have (and a price, in yuan or in cents).
const REQUIRED: &[Field] = &[Field::Sku, Field::Name, Field::Category, Field::OnHand];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn importing_takes_the_roles_that_create_skus() {
        assert_eq!(IMPORT_ROLES, super::super::CATALOG_ROLES);
    }
}
