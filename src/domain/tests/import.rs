//! Importing a sheet: all or none, on-hand changes in the audit trail, exact replay.

use super::*;
use crate::domain::stock::ImportCount;

fn by() -> Ident {
    Ident::new("operator").unwrap()
}

fn update(sku: &str, on_hand: i64, patch: SkuPatch) -> SkuUpdate {
    SkuUpdate {
        sku: code(sku),
        patch,
        on_hand: Units::new(on_hand).unwrap(),
    }
}

fn import(shop: &mut Shop, create: Vec<NewSku>, update: Vec<SkuUpdate>) -> Result<Effect, Refusal> {
    shop.apply(Command::Import {
        create,
        update,
        by: by(),
    })
}

fn counted(effect: &Effect) -> ImportCount {
    match effect.outcome {
        Outcome::Imported(count) => count,
        ref other => panic!("an import gave {other:?}"),
    }
}

#[test]
fn an_import_creates_new_skus_updates_existing_ones_and_journals_the_on_hand_change() {
    let mut shop = Shop::new(vec![
        new_sku("HOODIE", 10, 19_900),
        new_sku("CAP", 5, 3_900),
    ]);
    let rename = SkuPatch {
        name: Some(Name::new("加绒卫衣").unwrap()),
        price_cents: Some(Cents::new(17_900).unwrap()),
        ..SkuPatch::default()
    };
    let effect = import(
        &mut shop,
        vec![new_sku("SOCKS", 100, 990)],
        vec![
            update("HOODIE", 25, rename),
            update("CAP", 5, SkuPatch::default()),
        ],
    )
    .unwrap();
    let count = counted(&effect);
    assert_eq!((count.created, count.updated, count.unchanged), (1, 1, 1));
    assert_eq!(count.seq, shop.pool.seq());
    assert!(effect.journal);
    let hoodie = shop.sku("HOODIE");
    assert_eq!(
        (hoodie.name.as_str(), hoodie.price_cents, hoodie.on_hand),
        ("加绒卫衣", 17_900, 25)
    );
    assert_eq!(shop.sku("SOCKS").on_hand, 100);
    let trail = shop.pool.movements();
    assert_eq!(
        trail.len(),
        1,
        "only the changed count is a movement: {trail:?}"
    );
    let m = &trail[0];
    assert_eq!(
        (m.sku.as_str(), m.kind, m.delta),
        ("HOODIE", MovementKind::Adjust, 15)
    );
    assert_eq!(m.reason.as_ref().map(Note::as_str), Some("导入 import"));
    assert_eq!((m.by.as_str(), m.seq), ("operator", count.seq));
}

#[test]
fn one_bad_item_refuses_the_whole_import_and_changes_nothing() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 8)]),
        ..ev(Kind::Created, "DY-1")
    });
    let before = shop.pool.snapshot();
    // Down to 5 on hand while 8 are held: the new SKU beside it is not created either.
    let refusal = import(
        &mut shop,
        vec![new_sku("SOCKS", 100, 990)],
        vec![update("HOODIE", 5, SkuPatch::default())],
    )
    .unwrap_err();
    assert_eq!(
        (refusal.code, refusal.item, refusal.field.as_deref()),
        (RefusalCode::Conflict, Some(1), Some("on_hand"))
    );
    // A code twice, an existing code to create, an unknown one to update: each refused whole.
    let twice = import(
        &mut shop,
        vec![new_sku("SOCKS", 1, 1)],
        vec![update("SOCKS", 1, SkuPatch::default())],
    );
    assert_eq!(twice.unwrap_err().item, Some(1));
    let existing = import(&mut shop, vec![new_sku("HOODIE", 1, 1)], Vec::new());
    assert_eq!(existing.unwrap_err().code, RefusalCode::Conflict);
    let unknown = import(
        &mut shop,
        Vec::new(),
        vec![update("NOPE", 1, SkuPatch::default())],
    );
    assert_eq!(unknown.unwrap_err().code, RefusalCode::NotFound);
    let mut opening = new_sku("BAD", 3, 1);
    opening.buffer = Units::new(4).unwrap();
    let over = import(&mut shop, vec![opening], Vec::new()).unwrap_err();
    assert_eq!(
        (over.item, over.field.as_deref()),
        (Some(0), Some("buffer"))
    );
    assert_eq!(
        shop.pool.snapshot(),
        before,
        "a refused import changes nothing"
    );
}

#[test]
fn an_import_that_changes_nothing_is_not_journaled() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    let seq = shop.pool.seq();
    let effect = import(
        &mut shop,
        Vec::new(),
        vec![update("HOODIE", 10, SkuPatch::default())],
    )
    .unwrap();
    assert!(!effect.journal);
    assert_eq!(
        counted(&effect),
        ImportCount {
            created: 0,
            updated: 0,
            unchanged: 1,
            seq
        }
    );
    assert_eq!(shop.pool.seq(), seq);
}

#[test]
fn replaying_an_import_rebuilds_the_very_same_pool() {
    let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
    shop.send(OrderEvent {
        lines: lines(&[("HOODIE", 2)]),
        ..ev(Kind::Paid, "DY-1")
    });
    let limit = SkuPatch {
        per_buyer_limit: Some(Some(Limit::new(2).unwrap())),
        ..SkuPatch::default()
    };
    import(
        &mut shop,
        vec![new_sku("SOCKS", 100, 990)],
        vec![update("HOODIE", 4, limit)],
    )
    .unwrap();
    let mut fresh = Pool::new(CONFIG);
    for (cmd, ctx, effect) in &shop.journaled {
        // Through the journal's own encoding, as a restart reads it.
        let cmd: Command = serde_json::from_str(&serde_json::to_string(cmd).unwrap()).unwrap();
        assert_eq!(
            fresh.apply(&cmd, *ctx).as_ref(),
            Ok(effect),
            "replaying {cmd:?}"
        );
    }
    assert_eq!(fresh.snapshot(), shop.pool.snapshot());
    assert_eq!(fresh.sku(&code("HOODIE")).unwrap().available(), 2);
}
