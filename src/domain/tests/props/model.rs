//! The harness of the property test: a pool with a model of what it must hold, checked after
//! every command, and a twin rebuilt from a snapshot that must answer the same way.

use super::*;

/// A pool under test with a model of what it must hold, checked after every command.
pub(in crate::domain::tests) struct Harness {
    pub(in crate::domain::tests) shop: Shop,
    catalog_len: usize,
    /// Every order event sent, for retries.
    sent: Vec<OrderEvent>,
    /// The first judgement of every `(channel, order_id, kind)`.
    judged: HashMap<(String, String, Kind), Answer>,
    /// The shipments and refunds accepted before their order was paid and not yet carried out, per
    /// order, in arrival order.
    parked: HashMap<OrderKey, Vec<Kind>>,
    /// Physical units per SKU as the movements and shipments say.
    on_hand: BTreeMap<SkuCode, i64>,
    damaged: BTreeMap<SkuCode, i64>,
    /// A pool rebuilt from a snapshot, fed the same commands, that must answer the same way.
    pub(super) twin: Option<Pool>,
}

fn live(state: Option<OrderState>) -> bool {
    matches!(
        state,
        Some(OrderState::Held | OrderState::Paid | OrderState::Shipped)
    )
}

fn sold(state: Option<OrderState>) -> bool {
    matches!(state, Some(OrderState::Paid | OrderState::Shipped))
}

/// Whether the order has been paid (whatever happened after).
fn paid(state: Option<OrderState>) -> bool {
    matches!(
        state,
        Some(OrderState::Paid | OrderState::Shipped | OrderState::Refunded | OrderState::Returned)
    )
}

/// Whether the order's units have left the warehouse.
fn shipped(state: Option<OrderState>) -> bool {
    matches!(state, Some(OrderState::Shipped | OrderState::Returned))
}

impl Harness {
    pub(in crate::domain::tests) fn new(catalog: &[CatalogEntry]) -> Self {
        let skus: Vec<NewSku> = catalog
            .iter()
            .enumerate()
            .map(|(i, c)| NewSku {
                buffer: Units::new(c.buffer).unwrap(),
                damaged: Units::new(c.damaged).unwrap(),
                per_buyer_limit: c.per_buyer_limit.map(|l| Limit::new(l).unwrap()),
                presale_cap: Units::new(c.presale_cap).unwrap(),
                ..new_sku(&format!("S{i}"), c.on_hand, c.price_cents)
            })
            .collect();
        let on_hand = (0..catalog.len())
            .map(|i| (sku_code(i), catalog[i].on_hand))
            .collect();
        let damaged = (0..catalog.len())
            .map(|i| (sku_code(i), catalog[i].damaged))
            .collect();
        let harness = Harness {
            shop: Shop::new(skus),
            catalog_len: catalog.len(),
            sent: Vec::new(),
            judged: HashMap::new(),
            parked: HashMap::new(),
            on_hand,
            damaged,
            twin: None,
        };
        harness.check_books();
        harness
    }

    fn sku_pick(&self, pick: usize) -> SkuCode {
        if pick + 1 == SKU_PICKS {
            code("NO-SUCH-SKU")
        } else {
            sku_code(pick % self.catalog_len)
        }
    }

    pub(in crate::domain::tests) fn run(&mut self, op: &Op) {
        self.shop.now_ms += 250;
        match op {
            Op::Order {
                channel,
                order,
                kind,
                buyer: who,
                lines: picks,
                presale,
            } => {
                let lines = picks
                    .iter()
                    .map(|(pick, qty, price)| Line {
                        sku: self.sku_pick(*pick),
                        qty: Qty::new(*qty).unwrap(),
                        unit_price_cents: price.map(|p| Cents::new(p).unwrap()),
                    })
                    .collect();
                let event = OrderEvent {
                    channel: Channel::new(CHANNELS[*channel]).unwrap(),
                    buyer: who.and_then(|b| buyer(&format!("b{b}"))),
                    lines,
                    presale: *presale,
                    ..ev(*kind, &format!("O{order}"))
                };
                self.order(event);
            }
            Op::Retry(index) => {
                if !self.sent.is_empty() {
                    let event = self.sent[index.index(self.sent.len())].clone();
                    self.order(event);
                }
            }
            Op::Tick { advance_ms } => {
                self.shop.now_ms += advance_ms;
                let due = self.shop.pool.due_holds(self.shop.now_ms);
                if let Some(twin) = &self.twin {
                    assert_eq!(twin.due_holds(self.shop.now_ms), due);
                }
                for key in &due {
                    let order = self.shop.pool.order(key).unwrap();
                    assert!(order.expires_ms.unwrap() <= self.shop.now_ms);
                }
                let effect = self
                    .apply(Command::Expire {
                        orders: due.clone(),
                    })
                    .expect("an expiry is never refused");
                assert_eq!(effect.outcome, Outcome::Expired(due.len()));
                for key in &due {
                    assert_eq!(
                        self.shop.pool.order(key).unwrap().state,
                        Some(OrderState::Expired)
                    );
                }
            }
            Op::Move {
                sku,
                kind,
                qty,
                same_person,
            } => {
                let sku = sku_code(sku % self.catalog_len);
                let mut m = movement(*kind, *qty);
                if *same_person {
                    m.verified_by = Some(m.by.clone());
                }
                let result = self.apply(Command::Move {
                    sku: sku.clone(),
                    movement: m,
                });
                if result.is_ok() {
                    let on_hand = self.on_hand.get_mut(&sku).unwrap();
                    let damaged = self.damaged.get_mut(&sku).unwrap();
                    match kind {
                        MovementKind::Receive | MovementKind::Adjust => *on_hand += qty,
                        MovementKind::Count => *on_hand = *qty,
                        MovementKind::Damage => *damaged += qty,
                        MovementKind::Undamage => *damaged -= qty,
                    }
                }
            }
            Op::Patch {
                sku,
                buffer,
                per_buyer_limit,
                price_cents,
                presale_cap,
            } => {
                let patch = SkuPatch {
                    buffer: buffer.map(|b| Units::new(b).unwrap()),
                    per_buyer_limit: per_buyer_limit.map(|l| l.map(|l| Limit::new(l).unwrap())),
                    price_cents: price_cents.map(|p| Cents::new(p).unwrap()),
                    presale_cap: presale_cap.map(|p| Units::new(p).unwrap()),
                    ..SkuPatch::default()
                };
                let _ = self.apply(Command::PatchSku {
                    sku: sku_code(sku % self.catalog_len),
                    patch,
                });
            }
            Op::Import { update, create } => self.import(update, *create),
        }
        self.check_books();
    }

    /// Applies a command to the pool (and its twin, which must agree), checking that a refusal or
    /// an unjournaled effect changed nothing and that a journaled one took its seq.
    fn apply(&mut self, cmd: Command) -> Result<Effect, Refusal> {
        let before = self.shop.pool.snapshot();
        let ctx = Ctx {
            seq: self.shop.pool.seq() + 1,
            now_ms: self.shop.now_ms,
        };
        let result = self.shop.apply(cmd.clone());
        match &result {
            Ok(effect) if effect.journal => assert_eq!(self.shop.pool.seq(), ctx.seq),
            _ => assert_eq!(self.shop.pool.snapshot(), before, "{cmd:?} gave {result:?}"),
        }
        if let Some(twin) = &mut self.twin {
            assert_eq!(
                twin.apply(&cmd, ctx),
                result,
                "the twin disagrees on {cmd:?}"
            );
        }
        result
    }

    /// Imports the sheet; the model follows every accepted on-hand count, and the trail gains one
    /// adjustment per SKU whose count changed.
    fn import(&mut self, update: &[(usize, i64, Option<i64>)], create: Option<i64>) {
        let updates: Vec<SkuUpdate> = update
            .iter()
            .map(|(pick, on_hand, buffer)| SkuUpdate {
                sku: sku_code(pick % self.catalog_len),
                patch: SkuPatch {
                    buffer: buffer.map(|b| Units::new(b).unwrap()),
                    ..SkuPatch::default()
                },
                on_hand: Units::new(*on_hand).unwrap(),
            })
            .collect();
        let creates: Vec<NewSku> = create.iter().map(|n| new_sku("IMP", *n, 100)).collect();
        let trail = self.shop.pool.movements().len();
        let moved = updates
            .iter()
            .filter(|u| self.on_hand[&u.sku] != u.on_hand.get())
            .count();
        let result = self.apply(Command::Import {
            create: creates,
            update: updates.clone(),
            by: Ident::new("sheet").unwrap(),
        });
        if result.is_err() {
            return;
        }
        assert_eq!(self.shop.pool.movements().len(), trail + moved);
        for u in &updates {
            self.on_hand.insert(u.sku.clone(), u.on_hand.get());
        }
        if let Some(n) = create {
            self.on_hand.insert(code("IMP"), n);
            self.damaged.insert(code("IMP"), 0);
        }
    }

    fn order(&mut self, event: OrderEvent) {
        let id = (
            event.channel.as_str().to_owned(),
            event.order_id.as_str().to_owned(),
            event.kind,
        );
        let key = OrderKey {
            channel: id.0.as_str().into(),
            order_id: id.1.as_str().into(),
        };
        let state_before = self.shop.pool.order(&key).and_then(|o| o.state);
        let (expected_reason, expected_state) = self.expect(&event, &key);
        let seq = self.shop.pool.seq() + 1;
        self.sent.push(event.clone());
        let result = self.apply(Command::Order { event });
        if let Some(first) = self.judged.get(&id) {
            let again = match first {
                Answer::Accepted { seq } => Answer::Duplicate { seq: *seq },
                other => other.clone(),
            };
            let expected = Effect {
                journal: false,
                outcome: Outcome::Order(again),
                changed: Vec::new(),
            };
            assert_eq!(result, Ok(expected), "a retry of {id:?}");
            return;
        }
        if state_before.is_none() && matches!(id.2, Kind::Shipped | Kind::Refunded) {
            // Refused but not remembered: a retry once the order is in is judged afresh.
            match &result {
                Ok(Effect {
                    journal: false,
                    outcome: Outcome::Order(Answer::Rejected { seq: at, rejection }),
                    changed,
                }) => {
                    assert_eq!(*at, seq - 1, "{id:?}");
                    assert_eq!(rejection.reason, Reason::InvalidTransition, "{id:?}");
                    assert!(changed.is_empty());
                }
                Err(_) => {}
                other => panic!("{id:?} for an order never seen gave {other:?}"),
            }
            let order = self.shop.pool.order(&key);
            assert!(order.is_none_or(|o| o.judged[id.2.index()].is_none()));
            return;
        }
        let answer = match result {
            Err(_) => {
                let order = self.shop.pool.order(&key);
                assert!(order.is_none_or(|o| o.judged[id.2.index()].is_none()));
                return;
            }
            Ok(Effect {
                journal: true,
                outcome: Outcome::Order(answer),
                ..
            }) => answer,
            other => panic!("a first {id:?} gave {other:?}"),
        };
        assert_eq!(answer.seq(), seq);
        assert!(!matches!(answer, Answer::Duplicate { .. }));
        let order = self.shop.pool.order(&key).unwrap().clone();
        assert_eq!(
            reason(&answer),
            expected_reason,
            "{id:?} from {state_before:?}"
        );
        assert_eq!(order.state, expected_state, "{id:?} from {state_before:?}");
        if accepted(&answer) {
            match id.2 {
                Kind::Shipped | Kind::Refunded if !paid(state_before) => {
                    self.parked.entry(key.clone()).or_default().push(id.2);
                }
                Kind::Paid => {
                    self.parked.remove(&key);
                }
                _ => {}
            }
        }
        assert_eq!(
            order.parked,
            self.parked.get(&key).cloned().unwrap_or_default(),
            "{id:?} from {state_before:?}: parked"
        );
        // Units leave on_hand when the order ships: by its own `shipped`, or by the payment that
        // carries out a parked one.
        if !shipped(state_before) && shipped(order.state) && !order.presale {
            for (sku, qty) in Order::units_by_sku(&order.lines) {
                *self.on_hand.get_mut(&sku).unwrap() -= qty;
            }
        }
        let took = matches!(state_before, None | Some(OrderState::Expired))
            && matches!(id.2, Kind::Created | Kind::Paid);
        if accepted(&answer)
            && took
            && let Some(who) = &order.buyer
        {
            self.check_limits(who, &order);
        }
        self.judged.insert(id, answer);
    }

    /// What the lifecycle of SPEC A4 says a first event does: the reason it is rejected (none when
    /// accepted) and the order's state after it. A shipment or refund before payment is accepted and
    /// parked, changing nothing; the payment then carries out what is parked (per the model), shipped
    /// first, then refunded.
    fn expect(&self, ev: &OrderEvent, key: &OrderKey) -> (Option<Reason>, Option<OrderState>) {
        use OrderState as S;
        let order = self.shop.pool.order(key);
        let state = order.and_then(|o| o.state);
        let invalid = (Some(Reason::InvalidTransition), state);
        let parked = self.parked.get(key).map_or(&[][..], Vec::as_slice);
        // The state a payment leads to once the parked events are carried out.
        let paid = || match (
            parked.contains(&Kind::Shipped),
            parked.contains(&Kind::Refunded),
        ) {
            (false, false) => S::Paid,
            (true, false) => S::Shipped,
            (false, true) => S::Refunded,
            (true, true) => S::Returned,
        };
        match (ev.kind, state) {
            (Kind::Created | Kind::Paid, None) => {
                let to = if ev.kind == Kind::Paid {
                    paid()
                } else {
                    S::Held
                };
                match self.refusal_to_take(&ev.lines, ev.presale, ev.buyer.as_ref()) {
                    None => (None, Some(to)),
                    Some(reason) => (Some(reason), None),
                }
            }
            (Kind::Created, Some(_)) => (None, state),
            (Kind::Cancelled, None | Some(S::Held | S::Expired)) => (None, Some(S::Cancelled)),
            (Kind::Paid, Some(S::Held)) => (None, Some(paid())),
            (Kind::Paid, Some(S::Expired)) => {
                let o = order.unwrap();
                match self.refusal_to_take(&o.lines, o.presale, o.buyer.as_ref()) {
                    None => (None, Some(paid())),
                    Some(reason) => (Some(reason), state),
                }
            }
            (Kind::Shipped | Kind::Refunded, Some(S::Held | S::Expired)) => (None, state),
            (Kind::Refunded, Some(S::Paid)) => (None, Some(S::Refunded)),
            (Kind::Refunded, Some(S::Shipped)) => (None, Some(S::Returned)),
            (Kind::Shipped, Some(S::Paid)) => (None, Some(S::Shipped)),
            _ => invalid,
        }
    }

    /// Why the pool cannot take these lines now (SPEC A2, A5), computed from the orders: stock
    /// first, then the buyer's limit, line by line.
    fn refusal_to_take(
        &self,
        lines: &[Line],
        presale: bool,
        who: Option<&Ident>,
    ) -> Option<Reason> {
        let pool = &self.shop.pool;
        Order::units_by_sku(lines)
            .into_iter()
            .find_map(|(code, qty)| {
                // An unknown SKU gets the event refused before it is judged: nothing to predict.
                let sku = pool.sku(&code)?;
                let open = if presale {
                    sku.presale_available()
                } else {
                    sku.available()
                };
                if qty > open {
                    return Some(Reason::OutOfStock);
                }
                let (limit, who) = (sku.per_buyer_limit?, who?);
                let bought: i64 = pool
                    .orders()
                    .filter(|o| live(o.state) && o.buyer.as_ref() == Some(who))
                    .flat_map(|o| Order::units_by_sku(&o.lines))
                    .filter(|(c, _)| *c == code)
                    .map(|(_, q)| q)
                    .sum();
                (bought + qty > limit).then_some(Reason::LimitExceeded)
            })
    }

    /// After an order took stock, its buyer's live units are within every limit of its SKUs.
    fn check_limits(&self, who: &Ident, taken: &Order) {
        for (code, _) in Order::units_by_sku(&taken.lines) {
            let Some(limit) = self.shop.pool.sku(&code).unwrap().per_buyer_limit else {
                continue;
            };
            let units: i64 = self
                .shop
                .pool
                .orders()
                .filter(|o| live(o.state) && o.buyer.as_ref() == Some(who))
                .flat_map(|o| Order::units_by_sku(&o.lines))
                .filter(|(c, _)| *c == code)
                .map(|(_, q)| q)
                .sum();
            assert!(
                units <= limit,
                "{who:?} holds {units} of {code}, limit {limit}"
            );
        }
    }

    /// Every SKU's buckets agree with the orders and movements behind them, and every order holds
    /// parked exactly what the model says, only while it is unpaid (or cancelled, for good).
    fn check_books(&self) {
        let pool = &self.shop.pool;
        for order in pool.orders() {
            let parked = self.parked.get(&order.key).map_or(&[][..], Vec::as_slice);
            assert_eq!(order.parked, parked, "{:?}: parked", order.key);
            assert!(
                order.parked.is_empty() || !paid(order.state),
                "a paid order keeps parked events: {order:?}"
            );
        }
        assert!(
            self.parked
                .iter()
                .all(|(k, p)| !p.is_empty() && pool.order(k).is_some())
        );
        for sku in pool.skus() {
            let c = &sku.code;
            assert!(sku.invariant_holds(), "{sku:?}");
            assert_eq!(
                sku.available(),
                sku.on_hand - sku.damaged - sku.buffer - sku.held - sku.committed
            );
            assert!(sku.available() >= 0, "{sku:?}");
            let mut expect = [0i64; 6];
            let [held, committed, presale_held, presale_sold, sold_units, gmv] = &mut expect;
            for order in pool.orders() {
                for line in order.lines.iter().filter(|l| l.sku == *c) {
                    let qty = line.qty.get();
                    match (order.state, order.presale) {
                        (Some(OrderState::Held), false) => *held += qty,
                        (Some(OrderState::Held), true) => *presale_held += qty,
                        (Some(OrderState::Paid), false) => *committed += qty,
                        _ => {}
                    }
                    // A presale return keeps its units in presale_sold, as a spot return leaves stock
                    // alone: the presale pool is not reopened before the goods are back.
                    if order.presale
                        && matches!(
                            order.state,
                            Some(OrderState::Paid | OrderState::Shipped | OrderState::Returned)
                        )
                    {
                        *presale_sold += qty;
                    }
                    if sold(order.state) {
                        if !order.presale {
                            *sold_units += qty;
                        }
                        let price = line.unit_price_cents.map_or(sku.price_cents, |p| p.get());
                        *gmv += qty * price;
                    }
                }
            }
            let actual = [
                sku.held,
                sku.committed,
                sku.presale_held,
                sku.presale_sold,
                sku.sold_units,
                sku.gmv_cents,
            ];
            assert_eq!(
                actual, expect,
                "{c}: [held, committed, presale_held, presale_sold, sold_units, gmv_cents]"
            );
            assert_eq!(sku.on_hand, self.on_hand[c], "{c}: on_hand");
            assert_eq!(sku.damaged, self.damaged[c], "{c}: damaged");
        }
    }

    /// Replaying only the journaled commands, each with its ctx, rebuilds the same pool.
    pub(super) fn check_replay(&self) {
        let mut fresh = Pool::new(CONFIG);
        for (cmd, ctx, effect) in &self.shop.journaled {
            assert_eq!(
                fresh.apply(cmd, *ctx).as_ref(),
                Ok(effect),
                "replaying {cmd:?}"
            );
        }
        assert_eq!(fresh.snapshot(), self.shop.pool.snapshot());
        assert_eq!(fresh.seq(), self.shop.pool.seq());
    }
}
