//! `aftersales demo` and `chat --demo`: a fixed set of orders, one for every
//! order stage, with dates relative to now so that the windows always hold.
//!
//! | order | phone | customer | stage | lines (category, quantity × price) | freight insurance |
//! |---|---|---|---|---|---|
//! | `DEMO-1001` | 13900139001 | 张伟 | unpaid | 蓝牙降噪耳机 (electronics, 1 × ¥299.00) | no |
//! | `DEMO-1002` | 13700137002 | 李娜 | paid 3 hours ago, not shipped | 不锈钢保温杯 (kitchen, 2 × ¥89.00) | no |
//! | `DEMO-1003` | 13600136003 | 刘洋 | in transit, shipped yesterday (中通快递) | 男款缓震跑步鞋 (shoes, 1 × ¥459.00) | yes |
//! | `DEMO-1004` | 13800138000 | 王芳 | delivered yesterday (顺丰速运) | 女士防风夹克 (clothing, 1 × ¥399.00); 纯棉短袖T恤 (clothing, 2 × ¥79.00) | no |
//! | `DEMO-1005` | 13800138000 | 王芳 | delivered yesterday (圆通速递) | 青瓷花瓶 (home, 1 × ¥268.00) | yes |
//! | `DEMO-1006` | 13500135006 | 陈静 | delivered 10 days ago (京东物流) | 双肩电脑背包 (bags, 1 × ¥329.00) | no |
//! | `DEMO-1007` | 13300133007 | 赵敏 | delivered 3 days ago (中通快递) | 女士纯棉内衣套装 (underwear, 1 × ¥129.00) | yes |
//! | `DEMO-1008` | 15800158008 | 杨磊 | delivered yesterday (德邦快递) | 北欧实木餐桌 (furniture, 1 × ¥2899.00) | no |
//!
//! "Yesterday" is exactly 24 hours before now. All orders are in CNY.
//! [`DEMO_PHONE`] (13800138000) is on two orders, `DEMO-1004` and
//! `DEMO-1005`, so a customer sharing that contact is offered both; every
//! other order has its own phone.

use chrono::{DateTime, TimeDelta, Utc};

use crate::money::{Currency, Money};
use crate::order::{Order, OrderLine, OrderNo, OrderStage, Phone};
use crate::store::{Store, StoreError, orders};

/// The phone on `DEMO-1004` and `DEMO-1005`.
pub const DEMO_PHONE: &str = "13800138000";

/// The demo orders as of `now`, in order-number order.
pub fn demo_orders(now: DateTime<Utc>) -> Vec<Order> {
    let days_ago = |days: i64| Some(now - TimeDelta::days(days));
    let hours_ago = |hours: i64| Some(now - TimeDelta::hours(hours));
    vec![
        Order {
            lines: vec![line("EAR-BT-200", "蓝牙降噪耳机", "electronics", 1, 299)],
            ..order("DEMO-1001", "13900139001", "张伟")
        },
        Order {
            lines: vec![line("CUP-SS-500", "不锈钢保温杯", "kitchen", 2, 89)],
            paid_at: hours_ago(3),
            ..order("DEMO-1002", "13700137002", "李娜")
        },
        Order {
            lines: vec![line("SHOE-RUN-42", "男款缓震跑步鞋", "shoes", 1, 459)],
            paid_at: days_ago(2),
            shipped_at: days_ago(1),
            carrier: Some("中通快递".into()),
            tracking_no: Some("75300012345678".into()),
            freight_insurance: true,
            ..order("DEMO-1003", "13600136003", "刘洋")
        },
        Order {
            lines: vec![
                line("JKT-WB-M", "女士防风夹克", "clothing", 1, 399),
                line("TEE-CT-M", "纯棉短袖T恤", "clothing", 2, 79),
            ],
            paid_at: days_ago(4),
            shipped_at: days_ago(3),
            delivered_at: days_ago(1),
            carrier: Some("顺丰速运".into()),
            tracking_no: Some("SF1402345678901".into()),
            ..order("DEMO-1004", DEMO_PHONE, "王芳")
        },
        Order {
            lines: vec![line("VASE-CL-30", "青瓷花瓶", "home", 1, 268)],
            paid_at: days_ago(5),
            shipped_at: days_ago(3),
            delivered_at: days_ago(1),
            carrier: Some("圆通速递".into()),
            tracking_no: Some("YT7512345678901".into()),
            freight_insurance: true,
            ..order("DEMO-1005", DEMO_PHONE, "王芳")
        },
        Order {
            lines: vec![line("BAG-PC-15", "双肩电脑背包", "bags", 1, 329)],
            paid_at: days_ago(14),
            shipped_at: days_ago(13),
            delivered_at: days_ago(10),
            carrier: Some("京东物流".into()),
            tracking_no: Some("JDX000123456789".into()),
            ..order("DEMO-1006", "13500135006", "陈静")
        },
        Order {
            lines: vec![line("UW-CT-SET-M", "女士纯棉内衣套装", "underwear", 1, 129)],
            paid_at: days_ago(6),
            shipped_at: days_ago(5),
            delivered_at: days_ago(3),
            carrier: Some("中通快递".into()),
            tracking_no: Some("75300098765432".into()),
            freight_insurance: true,
            ..order("DEMO-1007", "13300133007", "赵敏")
        },
        Order {
            lines: vec![line("TBL-OAK-140", "北欧实木餐桌", "furniture", 1, 2899)],
            paid_at: days_ago(8),
            shipped_at: days_ago(5),
            delivered_at: days_ago(1),
            carrier: Some("德邦快递".into()),
            tracking_no: Some("DPK300123456789".into()),
            ..order("DEMO-1008", "15800158008", "杨磊")
        },
    ]
}

/// What each demo order is there to show, by order number.
const SHOWS: [(&str, &str); 8] = [
    ("DEMO-1001", "an unpaid order: nothing to refund"),
    ("DEMO-1002", "refund before shipping (asks why, not what is wrong)"),
    ("DEMO-1003", "in transit: intercept and refuse; freight insurance"),
    ("DEMO-1004", "7-day no-reason return or exchange; two lines; shared phone"),
    ("DEMO-1005", "quality problem with photos; freight insurance; shared phone"),
    ("DEMO-1006", "past the 7 days: quality problems still covered"),
    ("DEMO-1007", "excluded category (underwear): no no-reason return"),
    ("DEMO-1008", "furniture: quality problems within 48 hours of delivery"),
];

/// The demo orders as a table for the terminal: number, the phone's last
/// four digits (the proof the chat asks for), customer, stage, items,
/// freight insurance and what the order shows.
pub fn table(orders: &[Order], now: DateTime<Utc>) -> String {
    let header = ["order", "phone", "customer", "stage", "items", "insured", "shows"].map(str::to_owned);
    let rows: Vec<[String; 7]> = orders
        .iter()
        .map(|order| {
            let digits = order.phone.as_str();
            let items: Vec<String> = order
                .lines
                .iter()
                .map(|line| format!("{} {}×{}", line.item_name, line.quantity, line.unit_price))
                .collect();
            let shows = SHOWS.iter().find(|(no, _)| *no == order.no.as_str()).map_or("", |(_, shows)| shows);
            [
                order.no.as_str().to_owned(),
                format!("…{}", &digits[digits.len().saturating_sub(4)..]),
                order.customer_name.clone(),
                stage(order, now),
                items.join(", "),
                if order.freight_insurance { "yes" } else { "no" }.to_owned(),
                shows.to_owned(),
            ]
        })
        .collect();
    let mut widths = header.clone().map(|cell| width(&cell));
    for row in &rows {
        for (column, cell) in row.iter().enumerate() {
            widths[column] = widths[column].max(width(cell));
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let mut line = String::new();
        for (column, cell) in row.iter().enumerate() {
            line.push_str(cell);
            line.push_str(&" ".repeat(widths[column] - width(cell) + 2));
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    out
}

/// An order's stage in words, e.g. "delivered 1 day ago".
fn stage(order: &Order, now: DateTime<Utc>) -> String {
    match order.stage() {
        OrderStage::Unpaid => "unpaid".to_owned(),
        OrderStage::PaidNotShipped => "paid, not shipped".to_owned(),
        OrderStage::InTransit => "in transit".to_owned(),
        OrderStage::Delivered { at } => match (now - at).num_days() {
            0 => "delivered today".to_owned(),
            1 => "delivered 1 day ago".to_owned(),
            days => format!("delivered {days} days ago"),
        },
    }
}

/// Columns on a terminal: a Chinese character takes two.
fn width(text: &str) -> usize {
    text.chars().map(|c| if ('\u{2E80}'..='\u{FFEF}').contains(&c) { 2 } else { 1 }).sum()
}

/// Writes the demo orders (replacing earlier demo orders of the same numbers)
/// in one transaction and returns them.
pub async fn seed(store: &Store, now: DateTime<Utc>) -> Result<Vec<Order>, StoreError> {
    let demo = demo_orders(now);
    let mut tx = store.write().await?;
    for order in &demo {
        orders::upsert(&mut tx, order, now).await?;
    }
    tx.commit().await?;
    Ok(demo)
}

/// An unpaid order without lines, for the struct-update syntax above.
fn order(no: &str, phone: &str, customer_name: &str) -> Order {
    Order {
        no: OrderNo::from_trusted(no),
        // The demo phones are literals above, all with 11 digits.
        phone: Phone::parse(phone).unwrap_or_else(|| unreachable!("demo phone {phone} has 11 digits")),
        customer_name: customer_name.to_owned(),
        currency: Currency::CNY,
        lines: Vec::new(),
        paid_at: None,
        shipped_at: None,
        delivered_at: None,
        carrier: None,
        tracking_no: None,
        freight_insurance: false,
    }
}

/// A line priced in whole yuan.
fn line(sku: &str, item_name: &str, category: &str, quantity: u32, yuan: i64) -> OrderLine {
    OrderLine {
        sku: sku.to_owned(),
        item_name: item_name.to_owned(),
        category: category.to_owned(),
        quantity,
        unit_price: Money::new(yuan * 100, Currency::CNY),
    }
}

#[cfg(test)]
mod tests {
    use chrono::{DateTime, TimeDelta, TimeZone, Utc};

    use crate::demo::{DEMO_PHONE, demo_orders, seed};
    use crate::order::{Order, OrderNo, OrderStage, Phone};
    use crate::store::orders;

    fn now() -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 3, 20, 6, 30, 0).single().expect("valid time")
    }

    fn find<'a>(demo: &'a [Order], no: &str) -> &'a Order {
        demo.iter().find(|order| order.no.as_str() == no).expect("demo order")
    }

    #[test]
    fn every_demo_order_is_at_the_stage_its_table_row_says() {
        let delivered = |days: i64| OrderStage::Delivered { at: now() - TimeDelta::days(days) };
        let table = [
            ("DEMO-1001", "13900139001", OrderStage::Unpaid),
            ("DEMO-1002", "13700137002", OrderStage::PaidNotShipped),
            ("DEMO-1003", "13600136003", OrderStage::InTransit),
            ("DEMO-1004", DEMO_PHONE, delivered(1)),
            ("DEMO-1005", DEMO_PHONE, delivered(1)),
            ("DEMO-1006", "13500135006", delivered(10)),
            ("DEMO-1007", "13300133007", delivered(3)),
            ("DEMO-1008", "15800158008", delivered(1)),
        ];
        let demo = demo_orders(now());
        assert_eq!(demo.len(), table.len());
        for (order, (no, phone, stage)) in demo.iter().zip(table) {
            assert_eq!(order.no.as_str(), no);
            assert_eq!(order.phone.as_str(), phone, "{no}");
            assert_eq!(order.stage(), stage, "{no}");
        }
    }

    #[test]
    fn the_demo_orders_have_the_lines_categories_and_insurance_the_table_documents() {
        let demo = demo_orders(now());
        let summary = |no: &str| {
            let order = find(&demo, no);
            let lines: Vec<_> =
                order.lines.iter().map(|l| (l.category.as_str(), l.quantity, l.unit_price.minor)).collect();
            (lines, order.freight_insurance)
        };
        assert_eq!(summary("DEMO-1004"), (vec![("clothing", 1, 39900), ("clothing", 2, 7900)], false));
        assert_eq!(summary("DEMO-1005"), (vec![("home", 1, 26800)], true));
        assert_eq!(summary("DEMO-1007"), (vec![("underwear", 1, 12900)], true));
        assert_eq!(summary("DEMO-1008"), (vec![("furniture", 1, 289900)], false));
        assert!(demo.iter().all(|order| order.currency.as_str() == "CNY"));
    }

    #[test]
    fn the_demo_table_shows_every_order_in_words() {
        let table = super::table(&demo_orders(now()), now());
        let lines: Vec<&str> = table.lines().collect();
        assert_eq!(lines.len(), 9, "{table}");
        assert!(lines[0].starts_with("order") && lines[0].contains("shows"), "{table}");
        assert!(lines[4].starts_with("DEMO-1004") && lines[4].contains("…8000"), "{table}");
        assert!(lines[4].contains("delivered 1 day ago") && lines[4].contains("女士防风夹克 1×¥399.00"), "{table}");
        assert!(lines[2].contains("paid, not shipped"), "{table}");
        assert!(!table.contains('{') && !table.contains("Delivered"), "no debug output: {table}");
        // The columns line up, Chinese names included: "insured" starts where its values do.
        let column = |line: &str, at: &str| line.find(at).map(|end| super::width(&line[..end]));
        assert!(
            lines[1..]
                .iter()
                .all(|line| column(line, " yes ").or(column(line, " no ")) == column(lines[0], " insured"))
        );
    }

    #[test]
    fn only_the_two_orders_of_the_shared_contact_share_a_phone() {
        let demo = demo_orders(now());
        let shared: Vec<_> =
            demo.iter().filter(|o| o.phone.as_str() == DEMO_PHONE).map(|o| o.no.as_str().to_owned()).collect();
        assert_eq!(shared, ["DEMO-1004", "DEMO-1005"]);
        let mut others: Vec<_> = demo.iter().map(|o| o.phone.as_str()).filter(|p| *p != DEMO_PHONE).collect();
        others.sort_unstable();
        others.dedup();
        assert_eq!(others.len(), demo.len() - 2);
    }

    #[tokio::test]
    async fn seeding_stores_the_orders_and_the_shared_contact_finds_both_of_its_orders() {
        let (_db, store) = crate::store::scratch::store().await;
        let seeded = seed(&store, now()).await.expect("seed");
        // Seeding twice replaces rather than duplicates.
        seed(&store, now()).await.expect("seed again");

        let mut conn = store.read().await.expect("connection");
        assert_eq!(orders::count(&mut conn).await.expect("count"), 8);
        for order in &seeded {
            assert_eq!(orders::find(&mut conn, &order.no).await.expect("find").as_ref(), Some(order));
        }
        let phone = Phone::parse(DEMO_PHONE).expect("phone");
        let found = orders::recent_for_phone(&mut conn, &phone, 10).await.expect("lookup");
        let numbers: Vec<OrderNo> = found.into_iter().map(|o| o.no).collect();
        // DEMO-1004 was paid 4 days ago, DEMO-1005 5 days ago: newest first.
        assert_eq!(numbers, [OrderNo::from_trusted("DEMO-1004"), OrderNo::from_trusted("DEMO-1005")]);
    }
}
