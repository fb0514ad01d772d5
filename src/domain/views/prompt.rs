//! What the host is told to say about the product on air, and the restocks surges asked for.

use crate::domain::alerts::book::{AlertBook, AlertKind};
use crate::domain::show::{Prompt, RestockRequest};
use crate::domain::stock::{Sku, Skus, level};
use crate::domain::types::format_rfc3339;

/// The restocks asked for by open surge warnings, newest first.
pub fn restock_requests(skus: &Skus, alerts: &AlertBook) -> Vec<RestockRequest> {
    let mut seen = Vec::new();
    alerts
        .alerts
        .iter()
        .rev()
        .filter(|a| a.kind == AlertKind::Surge && a.acked_by.is_none())
        .filter_map(|a| {
            let code = a.sku.as_ref()?;
            if seen.contains(&code) {
                return None;
            }
            seen.push(code);
            let name = skus
                .get(code)
                .map(|s| s.name.as_str().to_owned())
                .unwrap_or_default();
            Some(RestockRequest {
                sku: code.clone(),
                reason_zh: format!(
                    "销量激增:每分钟 {:.0} 件,超过警戒线 {:.0} 件",
                    a.value, a.threshold
                ),
                reason_en: format!(
                    "surge: {:.0} units/min, over the line of {:.0}",
                    a.value, a.threshold
                ),
                name,
                at: format_rfc3339(a.at),
            })
        })
        .collect()
}

/// What the host should say about the product on air, if anything.
pub fn prompt_for(sku: &Sku, surging: bool) -> Option<Prompt> {
    let available = sku.available();
    if available == 0 {
        return Some(Prompt {
            zh: "已抢光!马上上下一个宝贝".to_owned(),
            en: "Sold out! Next product coming up".to_owned(),
        });
    }
    (surging || level(available, sku.base) >= 1).then(|| Prompt {
        // The screens show the units left beside it; the prompt is what the host says.
        zh: "库存有限,抓紧拍!".to_owned(),
        en: "Limited stock, order now!".to_owned(),
    })
}
