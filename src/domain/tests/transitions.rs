//! Every transition the lifecycle does not allow is rejected; early shipments and refunds park.

use super::*;

/// How a test brings an order to a state.
#[derive(Clone, Copy, Debug)]
enum Step {
    Send(Kind),
    ExpireAfterTtl,
}

/// The kinds an order holds parked after `kind` was accepted from `before` into `after`: a
/// shipment or refund before payment joins them, the payment carries them all out, anything else
/// leaves them be (a cancel too: they stay parked, harmless).
fn parked_after(
    kind: Kind,
    before: Option<OrderState>,
    after: Option<OrderState>,
    parked: &[Kind],
) -> Vec<Kind> {
    let unpaid = matches!(before, Some(OrderState::Held | OrderState::Expired));
    match kind {
        Kind::Shipped | Kind::Refunded if unpaid && after == before => {
            let mut p = parked.to_vec();
            p.push(kind);
            p
        }
        Kind::Paid => Vec::new(),
        _ => parked.to_vec(),
    }
}

#[test]
fn every_transition_outside_the_lifecycle_is_rejected_and_early_shipments_and_refunds_are_parked() {
    use Kind::{Cancelled as C, Created as Cr, Paid as P, Refunded as R, Shipped as Sh};
    use OrderState::{
        Cancelled as Cn, Expired as Ex, Held as H, Paid as Pd, Refunded as Rf, Returned as Rt,
        Shipped as Shp,
    };
    use Step::{ExpireAfterTtl as X, Send as S};
    // (how to get there, the state it gives, the kinds parked there, the kinds not yet sent that
    // are accepted there with the state each leads to); every other kind not yet sent is rejected
    // as invalid_transition and changes nothing.
    #[allow(clippy::type_complexity)] // a table row reads best flat
    let table: &[(
        &[Step],
        Option<OrderState>,
        &[Kind],
        &[(Kind, Option<OrderState>)],
    )] = &[
        (
            &[],
            None,
            &[],
            &[(Cr, Some(H)), (P, Some(Pd)), (C, Some(Cn))],
        ),
        (
            &[S(Cr)],
            Some(H),
            &[],
            &[(P, Some(Pd)), (C, Some(Cn)), (R, Some(H)), (Sh, Some(H))],
        ),
        (
            &[S(P)],
            Some(Pd),
            &[],
            &[(Cr, Some(Pd)), (R, Some(Rf)), (Sh, Some(Shp))],
        ),
        (
            &[S(Cr), S(P)],
            Some(Pd),
            &[],
            &[(R, Some(Rf)), (Sh, Some(Shp))],
        ),
        (
            &[S(P), S(Sh)],
            Some(Shp),
            &[],
            &[(Cr, Some(Shp)), (R, Some(Rt))],
        ),
        (&[S(Cr), S(C)], Some(Cn), &[], &[]),
        (&[S(C)], Some(Cn), &[], &[(Cr, Some(Cn))]),
        (
            &[S(Cr), X],
            Some(Ex),
            &[],
            &[(P, Some(Pd)), (C, Some(Cn)), (R, Some(Ex)), (Sh, Some(Ex))],
        ),
        (&[S(P), S(R)], Some(Rf), &[], &[(Cr, Some(Rf))]),
        (&[S(P), S(Sh), S(R)], Some(Rt), &[], &[(Cr, Some(Rt))]),
        (&[S(Cr), S(P), S(Sh), S(R)], Some(Rt), &[], &[]),
        // Shipments and refunds that overtook the payment wait, parked, on a hold ...
        (
            &[S(Cr), S(Sh)],
            Some(H),
            &[Sh],
            &[(P, Some(Shp)), (C, Some(Cn)), (R, Some(H))],
        ),
        (
            &[S(Cr), S(R)],
            Some(H),
            &[R],
            &[(P, Some(Rf)), (C, Some(Cn)), (Sh, Some(H))],
        ),
        (
            &[S(Cr), S(Sh), S(R)],
            Some(H),
            &[Sh, R],
            &[(P, Some(Rt)), (C, Some(Cn))],
        ),
        // ... and on an expired hold, through its expiry.
        (
            &[S(Cr), X, S(Sh)],
            Some(Ex),
            &[Sh],
            &[(P, Some(Shp)), (C, Some(Cn)), (R, Some(Ex))],
        ),
        (
            &[S(Cr), S(Sh), X],
            Some(Ex),
            &[Sh],
            &[(P, Some(Shp)), (C, Some(Cn)), (R, Some(Ex))],
        ),
        // The payment carries them out, shipped first, whatever order they came in.
        (&[S(Cr), S(R), S(Sh), S(P)], Some(Rt), &[], &[]),
        (&[S(Cr), S(Sh), S(P)], Some(Shp), &[], &[(R, Some(Rt))]),
        (&[S(Cr), S(R), S(P)], Some(Rf), &[], &[]),
        (&[S(Cr), X, S(R), S(P)], Some(Rf), &[], &[]),
        // A cancel leaves them parked for good: they never apply.
        (&[S(Cr), S(Sh), S(C)], Some(Cn), &[Sh], &[]),
        (&[S(Cr), S(R), X, S(C)], Some(Cn), &[R], &[]),
    ];
    for (path, state, parked, allowed) in table {
        let sent: Vec<Kind> = path
            .iter()
            .filter_map(|s| match s {
                S(k) => Some(*k),
                X => None,
            })
            .collect();
        for kind in Kind::ALL.into_iter().filter(|k| !sent.contains(k)) {
            let mut shop = Shop::new(vec![new_sku("HOODIE", 10, 19_900)]);
            for step in *path {
                match step {
                    S(k) => assert!(
                        accepted(&shop.send(OrderEvent {
                            lines: lines(&[("HOODIE", 1)]),
                            ..ev(*k, "DY-1")
                        })),
                        "{path:?}"
                    ),
                    X => {
                        shop.now_ms += TTL_MS;
                        assert_eq!(shop.expire_due(), 1);
                    }
                }
            }
            let parked_now = |shop: &Shop| {
                shop.pool
                    .order(&key("douyin", "DY-1"))
                    .map_or(Vec::new(), |o| o.parked.clone())
            };
            assert_eq!(shop.state("DY-1"), *state, "{path:?}");
            assert_eq!(parked_now(&shop), *parked, "{path:?}");
            let before = shop.pool.snapshot().skus;
            let answer = shop.send(OrderEvent {
                lines: lines(&[("HOODIE", 1)]),
                ..ev(kind, "DY-1")
            });
            let after = shop.state("DY-1");
            match allowed.iter().find(|(k, _)| *k == kind) {
                Some((_, to)) => {
                    assert!(accepted(&answer), "{kind:?} after {path:?}: {answer:?}");
                    assert_eq!(after, *to, "{kind:?} after {path:?}");
                    let now_parked = parked_after(kind, *state, after, parked);
                    assert_eq!(parked_now(&shop), now_parked, "{kind:?} after {path:?}");
                    if now_parked.len() > parked.len() {
                        assert_eq!(
                            shop.pool.snapshot().skus,
                            before,
                            "parking {kind:?} after {path:?}"
                        );
                    }
                }
                None => {
                    assert_eq!(
                        reason(&answer),
                        Some(Reason::InvalidTransition),
                        "{kind:?} after {path:?}"
                    );
                    assert_eq!(after, *state, "{kind:?} after {path:?}");
                    assert_eq!(parked_now(&shop), *parked, "{kind:?} after {path:?}");
                    assert_eq!(shop.pool.snapshot().skus, before, "{kind:?} after {path:?}");
                }
            }
        }
    }
}
