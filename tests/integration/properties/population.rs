//! A population keeps its customers as columns and makes profiles on demand: whatever
//! profiles go in (optional metrics present for some, none or all, attributes or not,
//! long and short ids), the profiles that come out — all at once, one at a time, or
//! through a JSON round trip — are the ones that went in, in id order.

use customer_tiering::attributes::{AttrValue, Attributes};
use customer_tiering::{CustomerId, Population, Profile};
use jiff::civil::date;
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use rust_decimal::Decimal;

fn money() -> impl Strategy<Value = Decimal> {
    prop_oneof![
        4 => (-100_000i64..100_000, 0u32..4).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => (any::<i64>(), 0u32..28).prop_map(|(m, s)| Decimal::new(m, s)),
        1 => Just(Decimal::MAX),
        // `-0.00`: a negative zero keeps its sign and scale through the columns.
        1 => Just(-Decimal::new(0, 2)),
    ]
}

fn profile() -> impl Strategy<Value = Profile> {
    let id = prop_oneof![
        4 => (0..500u32).prop_map(|i| format!("C{i:04}")),
        1 => (0..50u32).prop_map(|i| format!("{i}-a-customer-id-longer-than-twenty-three-bytes")),
        1 => (0..50u32).prop_map(|i| format!("顧客{i}")),
    ];
    let attributes = option::of((0..3u32, money())).prop_map(|pair| {
        let mut attributes = Attributes::default();
        if let Some((region, size)) = pair {
            attributes.insert("region", AttrValue::Text(format!("r{region}").into()));
            attributes.insert("employees", AttrValue::Number(size));
        }
        attributes
    });
    (
        id,
        (option::of(-5i64..5000), 0u64..20, 0u64..40, money()),
        (
            option::of(money()),
            option::of(-5i64..5000),
            option::of(0u64..9),
        ),
        (money(), money(), option::of(money())),
        attributes,
    )
        .prop_map(
            |(id, (recency, frequency, transactions, monetary), more, window, attributes)| {
                let (profit, tenure_days, distinct_products) = more;
                let (monetary_current, monetary_previous, growth) = window;
                Profile {
                    recency_days: recency,
                    frequency,
                    transactions,
                    monetary,
                    profit,
                    tenure_days,
                    distinct_products,
                    monetary_current,
                    monetary_previous,
                    growth,
                    attributes,
                    ..Profile::without_purchases(CustomerId::new(&id).unwrap())
                }
            },
        )
}

/// Profiles with distinct ids, some of them without any value of the optional metrics.
fn profiles() -> impl Strategy<Value = Vec<Profile>> {
    (vec(profile(), 0..120), any::<bool>()).prop_map(|(mut profiles, bare)| {
        let mut seen = std::collections::HashSet::new();
        profiles.retain(|p| seen.insert(p.customer_id.clone()));
        if bare {
            for p in &mut profiles {
                (p.profit, p.distinct_products, p.growth) = (None, None, None);
                p.attributes = Attributes::default();
            }
        }
        profiles
    })
}

proptest! {
    #[test]
    fn profiles_come_back_as_they_went_in(profiles in profiles()) {
        let population = Population::new(date(2026, 3, 31), profiles.clone()).unwrap();
        let mut sorted = profiles.clone();
        sorted.sort_by(|a, b| a.customer_id.cmp(&b.customer_id));
        let ids: Vec<&str> = sorted.iter().map(|p| p.customer_id.as_str()).collect();
        prop_assert_eq!(population.ids().collect::<Vec<_>>(), ids);
        prop_assert_eq!(population.len(), sorted.len());
        prop_assert_eq!(population.buyer_count(), sorted.iter().filter(|p| p.is_buyer()).count());
        // One at a time, before any profile is kept…
        for p in &sorted {
            let one = population.profile_of(p.customer_id.as_str());
            prop_assert_eq!(one.as_ref(), Some(p));
        }
        // …then all at once, and borrowed one at a time.
        prop_assert_eq!(population.profiles(), &sorted[..]);
        for p in &sorted {
            prop_assert_eq!(population.get(p.customer_id.as_str()), Some(p));
        }
        let json = serde_json::to_string(&population).unwrap();
        let back: Population = serde_json::from_str(&json).unwrap();
        prop_assert_eq!(back.profiles(), population.profiles());
        prop_assert_eq!(&back, &population);
    }

    #[test]
    fn equal_profiles_make_equal_populations_in_any_order(
        profiles in profiles(),
        seed in any::<u64>(),
    ) {
        let mut shuffled = profiles.clone();
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            shuffled.swap(i, (state % (i as u64 + 1)) as usize);
        }
        let one = Population::new(date(2026, 3, 31), profiles).unwrap();
        let other = Population::new(date(2026, 3, 31), shuffled).unwrap();
        prop_assert_eq!(one, other);
    }
}
