//! The show's cast: the 21-SKU catalog with its stock for an hour's show, the run of show (eight
//! slots and their planned rates), the five channels, and the places and people orders come from.

/// The peak of the online viewers.
pub(super) const VIEWERS_PEAK: f64 = 100_000.0;
/// From this unit price on, buyers take one at a time.
pub(super) const BIG_TICKET_CENTS: i64 = 30_000;
/// The units of an order line and their odds, for big-ticket and for other products.
pub(super) const QTY_ODDS_BIG_TICKET: [(i64, f64); 2] = [(1, 0.97), (2, 0.03)];
pub(super) const QTY_ODDS: [(i64, f64); 3] = [(1, 0.78), (2, 0.16), (3, 0.06)];

/// The hero product: the hoodie of the source article, 5,000 units, surging and selling out.
pub(super) const HERO: &str = "HOODIE-BLK-L";
/// The hero's stock however short the show: its surge is judged on a minute of paid units (SPEC
/// C: units per minute ≥ 3 × planned, 3 × 400 here), and payments trail the holds by seconds to
/// minutes, so well over a minute of it must fit in the stock.
pub(super) const HERO_ON_HAND_MIN: i64 = 2_000;
/// Where viewers go when the hero is gone.
pub(super) const HERO_SIBLINGS: [&str; 2] = ["HOODIE-BLK-M", "HOODIE-GRY-L"];
/// The product the warehouse restocks mid-show, at [`RESTOCK_AT`] of the show, with this many
/// units for a 60-minute show.
pub(super) const RESTOCK_SKU: &str = "NUTS-GIFT-750";
pub(super) const RESTOCK_AT: f64 = 0.45;
pub(super) const RESTOCK_UNITS: f64 = 1_500.0;
/// The product whose outer box is found crushed, at [`DAMAGE_AT`] of the show.
pub(super) const DAMAGE_SKU: &str = "BLANKET-150";
pub(super) const DAMAGE_AT: f64 = 0.2;
pub(super) const DAMAGE_UNITS: i64 = 2;
/// Products a buyer adds to the on-air product's order ("顺手带一件").
pub(super) const ADD_ONS: [&str; 4] = ["SOCKS-WOOL-5P", "MASK-10P", "TOWEL-4P", "BEEF-JERKY-200"];

/// One catalog product.
pub(super) struct Product {
    pub(super) sku: &'static str,
    pub(super) name: &'static str,
    pub(super) category: &'static str,
    pub(super) price_cents: i64,
    /// Units on hand for a 60-minute show.
    pub(super) on_hand: i64,
    /// Units already set aside as damaged: a couple of crushed boxes, whatever the show's length.
    pub(super) damaged: i64,
    /// Units kept back from sale ("100 in stock, open 90").
    pub(super) buffer: i64,
    pub(super) per_buyer_limit: Option<i64>,
    /// Presale capacity for a 60-minute show; a presale product has no spot stock.
    pub(super) presale_cap: i64,
    /// Units per show-minute that sell while it is not on air (not for lineup products, whose
    /// off-air sales follow their planned rate).
    pub(super) trickle_per_min: f64,
}

pub(super) const fn product(
    sku: &'static str,
    name: &'static str,
    category: &'static str,
    price_cents: i64,
    on_hand: i64,
    trickle_per_min: f64,
) -> Product {
    Product {
        sku,
        name,
        category,
        price_cents,
        on_hand,
        damaged: 0,
        buffer: 0,
        per_buyer_limit: None,
        presale_cap: 0,
        trickle_per_min,
    }
}

pub(super) const CATALOG: [Product; 21] = [
    Product {
        damaged: 3,
        per_buyer_limit: Some(2),
        ..product(HERO, "加绒卫衣 黑 L", "apparel", 19_900, 5_000, 0.0)
    },
    product(
        "HOODIE-BLK-M",
        "加绒卫衣 黑 M",
        "apparel",
        19_900,
        3_000,
        6.0,
    ),
    product(
        "HOODIE-GRY-L",
        "加绒卫衣 灰 L",
        "apparel",
        19_900,
        2_500,
        5.0,
    ),
    product(
        "DOWN-VEST-M",
        "轻薄羽绒马甲 米白 M",
        "apparel",
        29_900,
        1_200,
        4.0,
    ),
    product(
        "JEANS-STR-29",
        "直筒牛仔裤 29码",
        "apparel",
        15_900,
        1_500,
        3.0,
    ),
    product(
        "SOCKS-WOOL-5P",
        "羊毛袜 5双装",
        "apparel",
        3_990,
        8_000,
        10.0,
    ),
    product(
        "NUTS-GIFT-750",
        "每日坚果礼盒 750g",
        "food",
        12_900,
        2_400,
        0.0,
    ),
    product("SNAIL-NOODLE-3", "螺蛳粉 3袋装", "food", 2_990, 6_000, 0.0),
    product(
        "BEEF-JERKY-200",
        "风干牛肉干 200g",
        "food",
        6_990,
        3_000,
        8.0,
    ),
    product(
        "TEA-LONGJING-250",
        "明前龙井 250g",
        "food",
        26_800,
        600,
        0.0,
    ),
    product(
        "BEEF-SAUCE-3",
        "香辣牛肉酱 3瓶装",
        "food",
        4_990,
        1_800,
        4.0,
    ),
    Product {
        presale_cap: 3_000,
        ..product(
            "MOONCAKE-PRE",
            "流心月饼礼盒 (预售)",
            "food",
            16_800,
            0,
            12.0,
        )
    },
    product(
        "SERUM-30ML",
        "玻尿酸精华 30ml",
        "beauty",
        25_900,
        1_500,
        0.0,
    ),
    product(
        "LIPSTICK-R01",
        "丝绒口红 #R01 正红",
        "beauty",
        13_900,
        2_500,
        0.0,
    ),
    product("MASK-10P", "补水面膜 10片", "beauty", 8_900, 5_000, 8.0),
    product(
        "SUNSCREEN-50",
        "清透防晒乳 SPF50 50ml",
        "beauty",
        11_900,
        1_800,
        4.0,
    ),
    product("BLANKET-150", "珊瑚绒毯 150×200", "home", 8_900, 2_200, 0.0),
    Product {
        damaged: 2,
        buffer: 10,
        ..product("AIRFRYER-5L", "空气炸锅 5L", "home", 39_900, 800, 0.0)
    },
    product("THERMOS-500", "保温杯 500ml", "home", 9_900, 1_600, 4.0),
    product("TOWEL-4P", "纯棉毛巾 4条装", "home", 4_990, 3_500, 5.0),
    // A slow mover: nobody buys it tonight.
    product("PILLOW-LATEX", "乳胶枕", "home", 19_900, 1_000, 0.0),
];

pub(super) fn qty_odds(p: &Product) -> &'static [(i64, f64)] {
    if p.price_cents >= BIG_TICKET_CENTS {
        &QTY_ODDS_BIG_TICKET
    } else {
        &QTY_ODDS
    }
}

/// The mean units of an order line of `p`, to turn units per minute into orders per minute.
pub(super) fn mean_qty(p: &Product) -> f64 {
    qty_odds(p).iter().map(|(q, p)| *q as f64 * p).sum()
}

/// One product of the run of show; slots are equal, one after another, over the whole show.
pub(super) struct Slot {
    pub(super) sku: &'static str,
    /// The planned units per show-minute on air, as the run of show promised it.
    pub(super) planned_per_min: f64,
    /// Demand at its peak ÷ planned: the hero's is above the surge threshold (3×, SPEC C); the
    /// others are sized so that some products go low (20/10/5% tiers) and some stay healthy.
    pub(super) demand_factor: f64,
}

pub(super) const LINEUP: [Slot; 8] = [
    slot("SNAIL-NOODLE-3", 300.0, 1.0),
    slot("NUTS-GIFT-750", 320.0, 1.45),
    slot(HERO, 400.0, 7.0),
    slot("SERUM-30ML", 200.0, 1.35),
    slot("BLANKET-150", 150.0, 1.0),
    slot("TEA-LONGJING-250", 70.0, 1.35),
    slot("AIRFRYER-5L", 90.0, 1.5),
    slot("LIPSTICK-R01", 180.0, 1.1),
];

pub(super) const fn slot(sku: &'static str, planned_per_min: f64, demand_factor: f64) -> Slot {
    Slot {
        sku,
        planned_per_min,
        demand_factor,
    }
}

/// A lineup product's sales before its slot (people who saw it in the preview), as a share of its
/// planned rate.
pub(super) const BEFORE_SLOT_SHARE: f64 = 0.03;
/// And after its slot (the shopping cart, the replay).
pub(super) const AFTER_SLOT_SHARE: f64 = 0.04;
/// The hero's demand once it is sold out, as a share of its surge: the host says it is gone.
pub(super) const SOLD_OUT_DEMAND_SHARE: f64 = 0.3;
/// The share of hero orders that go to a sibling once the hero is sold out.
pub(super) const SPILLOVER_SHARE: f64 = 0.25;

/// A sales channel as the simulated crowd uses it.
pub(super) struct ChannelSpec {
    pub(super) name: &'static str,
    pub(super) order_prefix: &'static str,
    pub(super) buyer_prefix: &'static str,
    /// Its share of the orders.
    pub(super) share: f64,
    /// The share of its orders that arrive as `paid` with no `created` before.
    pub(super) paid_direct: f64,
}

pub(super) const CHANNELS: [ChannelSpec; 5] = [
    channel("douyin", "DY", "dy_u_", 0.45, 0.10),
    channel("kuaishou", "KS", "ks_", 0.20, 0.15),
    channel("taobao", "TB", "tb_", 0.15, 0.30),
    channel("jd", "JD", "jd_", 0.10, 0.40),
    channel("pinduoduo", "PDD", "pdd_", 0.10, 0.25),
];

pub(super) const fn channel(
    name: &'static str,
    order_prefix: &'static str,
    buyer_prefix: &'static str,
    share: f64,
    paid_direct: f64,
) -> ChannelSpec {
    ChannelSpec {
        name,
        order_prefix,
        buyer_prefix,
        share,
        paid_direct,
    }
}

pub(super) const REGIONS: [&str; 16] = [
    "浙江省杭州市",
    "广东省深圳市",
    "广东省广州市",
    "江苏省南京市",
    "江苏省苏州市",
    "上海市浦东新区",
    "北京市朝阳区",
    "四川省成都市",
    "湖北省武汉市",
    "山东省青岛市",
    "河南省郑州市",
    "福建省厦门市",
    "湖南省长沙市",
    "陕西省西安市",
    "重庆市渝北区",
    "辽宁省沈阳市",
];
pub(super) const ROADS: [&str; 10] = [
    "人民路",
    "解放路",
    "中山路",
    "建设路",
    "和平路",
    "文化路",
    "新华路",
    "长江路",
    "学院路",
    "滨江大道",
];
/// Scalpers (黄牛): a few accounts at one address that buy the hero and refund within minutes,
/// for the post-show review's anomalies.
pub(super) const SCALPERS: [&str; 6] = [
    "dy_u_hn0101",
    "dy_u_hn0102",
    "ks_hn0103",
    "tb_hn0104",
    "pdd_hn0105",
    "dy_u_hn0106",
];
pub(super) const SCALPER_ADDRESS: (&str, &str) = ("河南省郑州市", "金水路88号1栋101室");
/// The share of hero orders during its slot that come from scalpers.
pub(super) const SCALPER_SHARE: f64 = 0.03;

/// The online viewers over the show: `(share of the show, viewers)`, eased between the points. They
/// rise to the peak around the hero and fall off towards the end.
pub(super) const VIEWER_CURVE: [(f64, f64); 10] = [
    (0.0, 3_000.0),
    (0.08, 30_000.0),
    (0.2, 72_000.0),
    (0.27, 92_000.0),
    (0.31, VIEWERS_PEAK),
    (0.4, 94_000.0),
    (0.6, 89_000.0),
    (0.75, 93_000.0),
    (0.9, 81_000.0),
    (1.0, 68_000.0),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lineup_and_the_catalog_agree() {
        let skus: std::collections::HashSet<&str> = CATALOG.iter().map(|p| p.sku).collect();
        for slot in &LINEUP {
            assert!(skus.contains(slot.sku), "{} is in the catalog", slot.sku);
        }
        for sku in [RESTOCK_SKU, DAMAGE_SKU]
            .iter()
            .chain(&HERO_SIBLINGS)
            .chain(&ADD_ONS)
        {
            assert!(skus.contains(sku), "{sku} is in the catalog");
        }
        let shares: f64 = CHANNELS.iter().map(|c| c.share).sum();
        assert!((shares - 1.0).abs() < 1e-9);
        for odds in [&QTY_ODDS[..], &QTY_ODDS_BIG_TICKET[..]] {
            assert!((odds.iter().map(|(_, p)| p).sum::<f64>() - 1.0).abs() < 1e-9);
        }
    }
}
