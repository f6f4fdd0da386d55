//! What every figure and label of this crate means, exactly.
//!
//! This chapter is the crate's reference for its numbers: the metrics of a customer,
//! how scores, bands, grades and stages are decided, which records are rejected, what
//! the summary figures and files hold. The rest of the documentation links here
//! (`definitions#quantile-scores` and the like) instead of repeating a rule. Every
//! formula is stated as the code computes it, so that a SQL engine, a spreadsheet or a
//! second program written from this page agrees with the crate to the last digit.
//! Money is an exact decimal ([`rust_decimal::Decimal`]) everywhere; no figure goes
//! through a float.
//!
//! Contents: [inputs](#inputs) · [profile metrics](#profile-metrics) ·
//! [quantile scores](#quantile-scores) · [Pareto tiers and ABC](#pareto-tiers-and-abc) ·
//! [named RFM segments](#named-rfm-segments) ·
//! [four-dimension grading and levels](#four-dimension-grading-and-levels) ·
//! [composite value tiers](#composite-value-tiers) · [lifecycle stages](#lifecycle-stages) ·
//! [purchase intent](#purchase-intent) ·
//! [rule sets and the final tier](#rule-sets-and-the-final-tier) ·
//! [missing data](#missing-data) · [explanations](#explanations) ·
//! [determinism](#determinism) · [bad input and rejects](#bad-input-and-rejects) ·
//! [periodic update](#periodic-update) · [warnings](#warnings) ·
//! [summary figures](#summary-figures) · [the management table](#the-management-table) ·
//! [CLI files and exit codes](#cli-files-and-exit-codes) · [output safety](#output-safety) ·
//! [input formats](#input-formats) · [presets](#presets) ·
//! [display names and playbooks](#display-names-and-playbooks).
//!
//! # Inputs
//!
//! **Transactions**, one row per purchase line ([`Transaction`](crate::Transaction)):
//!
//! | field | type | required | notes |
//! |---|---|---|---|
//! | `customer_id` | text, 1..=128 bytes after trimming ASCII whitespace | yes | case-sensitive; compared and sorted as bytes ([`CustomerId`](crate::CustomerId)) |
//! | `date` | a calendar date | yes | see below |
//! | `amount` | an exact decimal | yes | may be 0; negative is a refund or return |
//! | `profit` | an exact decimal | no | the line's gross margin |
//! | `product` | text | no | a product or category code, for `distinct_products` |
//!
//! The default CSV format (what a file is read as when no [input format](#input-formats)
//! is declared): UTF-8, `,` between fields, `"` quotes, a header naming the columns.
//!
//! - **date**: the first 10 characters are a valid `YYYY-MM-DD`. Anything after them must
//!   start with `T` or a space (a time of day, perhaps with a zone offset) and is
//!   ignored. A date is never shifted by a zone: `2011-12-09T23:30:00-05:00` is
//!   2011-12-09 ([`dates::parse_date`](crate::dates::parse_date)).
//! - **amount**: after trimming ASCII whitespace, the text matches
//!   `-?[0-9]+(\.[0-9]+)?` and has at most 28 digits, leading zeros of the integer part
//!   not counted, so that it fits a `Decimal` exactly, scale included
//!   ([`money::parse_amount`](crate::money::parse_amount)). Anything else is a reject and
//!   is never rounded: `1,000`, `1e3`, `$5`, `+5`, `.5`, `5.`, an empty field. `-0.00` is
//!   zero. Trailing zeros are kept as written (`12.50` prints `12.50`), and a sum keeps
//!   the largest scale of its terms.
//!
//! ```
//! use customer_tiering::money::parse_amount;
//! assert_eq!(parse_amount(" 12.50 ").unwrap().to_string(), "12.50"); // scale as written
//! assert_eq!(parse_amount("-0.00").unwrap().to_string(), "0.00"); // no negative zero
//! for bad in ["1,000", "1e3", "$5", "+5", ".5", "5.", ""] {
//!     assert!(parse_amount(bad).is_err(), "{bad}");
//! }
//! use customer_tiering::dates::parse_date;
//! assert_eq!(parse_date(b"2011-12-09T23:30:00-05:00").unwrap().to_string(), "2011-12-09");
//! assert!(parse_date(b"20111209").is_err());
//! ```
//!
//! **Customers**, optional, one row per customer
//! ([`source::customers`](crate::source::customers)): `customer_id` and any number of
//! attribute columns. The known attributes are `kind` (`individual`, `enterprise`,
//! `channel`, `internal`), `industry`, `region`, `employees`, `annual_revenue`,
//! `credit_rating`, `status` (`non_customer`, `prospect`, `target`), `satisfaction`,
//! `complaints` (and `intent`, see [purchase intent](#purchase-intent)); any other named
//! column is a numeric attribute when every value is a decimal of the amount grammar,
//! else a text label. A customer found only here has no purchases; one found only in the
//! transactions has no attributes.
//!
//! **Profiles**: an application (a data warehouse, say) may hand over per-customer
//! aggregates instead of transactions; every [profile metric](#profile-metrics) can be
//! supplied ([`Profile`](crate::Profile)).
//!
//! # Profile metrics
//!
//! Every metric is relative to an as-of date `AS_OF`. Each row is validated first
//! ([bad input](#bad-input-and-rejects)). A valid row dated after `AS_OF` is accepted,
//! left out of every metric, and counted in the read summary as `after_as_of` (it is not
//! an error). **Every accepted row dated on or before `AS_OF` counts, whatever its
//! amount** (zero and negative included): toward recency, frequency, transactions and
//! tenure; one such row makes the customer a buyer. Identical rows are separate purchase
//! lines.
//!
//! | metric | definition |
//! |---|---|
//! | `recency_days` | `AS_OF` − the date of the last transaction, in whole days; none without purchases |
//! | `frequency` | the number of distinct transaction dates (lines of one day count once) |
//! | `transactions` | the number of transaction rows |
//! | `monetary` | the exact sum of `amount` |
//! | `profit` | the exact sum of `profit`; none when no row has a profit |
//! | `tenure_days` | `AS_OF` − the date of the first transaction |
//! | `distinct_products` | the number of distinct `product` values; none when no row has one |
//! | `monetary_current` | the sum of `amount` over rows with `AS_OF − window < date ≤ AS_OF` (window: 365 days by default) |
//! | `monetary_previous` | the sum of `amount` over rows with `AS_OF − 2·window < date ≤ AS_OF − window` |
//! | `growth` | `(monetary_current − monetary_previous) / monetary_previous` when `monetary_previous > 0`, else none; exact decimal division rounded half away from zero to 28 significant digits |
//!
//! The **scored population** of a classifier is its buyers: the customers with
//! `frequency ≥ 1`. A customer without purchases is not scored by RFM or Pareto; it gets
//! no score and a reason ([`Label::Unscored`](crate::classify::Label::Unscored)), never
//! a made-up one.
//!
//! Example: at `AS_OF` = 2026-03-31, rows `C1,2026-03-30,120.00`, `C1,2026-03-30,-20.00`
//! and `C1,2025-01-15,80.00` give `recency_days` 1, `frequency` 2, `transactions` 3,
//! `monetary` 180.00, `tenure_days` 440, `monetary_current` 100.00, `monetary_previous`
//! 80.00 and `growth` 0.25.
//!
//! ```
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! use rust_decimal::dec;
//! let id = CustomerId::new("C1").unwrap();
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! b.add(Transaction::new(id.clone(), date(2026, 3, 30), dec!(120.00)))?;
//! b.add(Transaction::new(id.clone(), date(2026, 3, 30), dec!(-20.00)))?;
//! b.add(Transaction::new(id.clone(), date(2025, 1, 15), dec!(80.00)))?;
//! b.add(Transaction::new(id, date(2026, 4, 2), dec!(999)))?; // after AS_OF: in no metric
//! let population = b.finish()?;
//! let c1 = population.get("C1").unwrap();
//! assert_eq!((c1.recency_days, c1.frequency, c1.transactions), (Some(1), 2, 3));
//! assert_eq!((c1.monetary, c1.tenure_days), (dec!(180.00), Some(440)));
//! assert_eq!(c1.growth, Some(dec!(0.25)));
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! # Quantile scores
//!
//! A quantile score puts each buyer into one of `k` bins by one metric: `k` from 2 to 10
//! (default 5), score `k` the best ([`CutPoints`](crate::classify::quantile::CutPoints)).
//! `n` is the size of the scored population; any `n ≥ 1` is legal, and `n < k` leaves
//! scores empty. For a customer whose value is `x`, `L` is the number of scored customers
//! whose value is *worse* than `x`.
//!
//! **Direction.** For `recency_days` fewer days is better (worse means strictly
//! **greater**). For every other metric larger is better (worse means strictly
//! **less**), `tenure_days` included: a longer relationship is better. A classifier's
//! settings may declare `lower_is_better` for its metric
//! ([`Direction`](crate::profile::Direction)).
//!
//! **Tie-aware** (the default): `score = 1 + floor(k·L / n)`, in integer arithmetic.
//! Equal values always get equal scores. In SQL:
//! `1 + floor(k * (rank() over (order by x) - 1) / count(*) over ())`, and for recency
//! `order by recency_days desc`.
//!
//! **Equal-count** (for compatibility): SQL `ntile(k) over (order by x, customer_id)`
//! (recency: `order by recency_days desc, customer_id`), with `customer_id` compared as
//! bytes (`COLLATE "C"`). Bucket sizes differ by at most one, the larger buckets first;
//! with `n < k` the first `n` buckets hold one customer each. It splits equal values
//! across scores, which is why it is not the default. pandas
//! `qcut(x.rank(method="first"), k)` agrees with it only when `n mod k` is 0 or 1.
//!
//! Worked examples (`k` = 5, values distinct unless shown):
//!
//! | case | scores, worst value first | customers with score 1..5 |
//! |---|---|---|
//! | n = 7, tie-aware | 1 1 2 3 3 4 5 | 2 1 2 1 1 |
//! | n = 7, equal-count | 1 1 2 2 3 4 5 | 2 2 1 1 1 |
//! | n = 1003, tie-aware | | 201 201 200 201 200 |
//! | n = 1003, equal-count | | 201 201 201 200 200 |
//! | values 1 1 1 1 1 2 2 3 4 5 (ids in that order), tie-aware | 1 1 1 1 1 3 3 4 5 5 | 5 0 2 1 2 |
//! | the same, equal-count | 1 1 2 2 3 3 4 4 5 5 | 2 2 2 2 2 |
//! | `recency_days` 400 30 20 10 5, tie-aware | 1 2 3 4 5 (5 days scores 5) | 1 1 1 1 1 |
//!
//! Ties can leave a tie-aware score empty: when half the buyers have frequency 1, they
//! all score 1 and the next value scores 3. That is correct; the fitted model reports
//! every empty score with the tie that caused it
//! ([`EmptyScore`](crate::classify::quantile::EmptyScore), warning `empty_score`).
//!
//! ```
//! use customer_tiering::classify::quantile::{CutPoints, QuantileMode};
//! use customer_tiering::profile::Direction;
//! use rust_decimal::Decimal;
//! let values: Vec<Decimal> = [1, 1, 1, 1, 1, 2, 2, 3, 4, 5].map(Decimal::from).to_vec();
//! let up = Direction::HigherIsBetter;
//! let tie_aware = CutPoints::fit(&values, 5, QuantileMode::TieAware, up)?;
//! let scores: Vec<u8> = values.iter().map(|x| tie_aware.score(x)).collect();
//! assert_eq!(scores, [1, 1, 1, 1, 1, 3, 3, 4, 5, 5]); // 1 + floor(5·L/10)
//! assert_eq!(tie_aware.sizes(), [5, 0, 2, 1, 2]); // score 2 is empty
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! ## Cut points of a fitted model
//!
//! A fitted model stores, per metric, the `k − 1` cut points of its fit population, so
//! that a new customer is scored without refitting. With the fit population sorted from
//! worst to best (for equal-count with the `customer_id` tiebreak), `t_s` is the value at
//! 1-based position `m_s`, for `s = 2..=k`, and a value scores `1 +` the number of cut
//! points it is **strictly better than**. One rule serves both modes; only the positions
//! differ:
//!
//! - tie-aware: `m_s = ceil((s−1)·n/k)`. On the fit population this gives exactly
//!   `1 + floor(k·L/n)`, ties included;
//! - equal-count: `m_s` is the number of customers in buckets `1..s−1` (the last
//!   customer of bucket `s−1`). On the fit population this equals the batch `NTILE`
//!   score, except for a customer whose value equals the value at some `m_s` while
//!   `NTILE` put it in a later bucket (a tie across a bucket boundary): the model cannot
//!   see ids and scores it lower, as it scores the tied customer before it. With
//!   distinct values it reproduces `NTILE` exactly. A pipeline's own run
//!   ([`Pipeline::run`](crate::Pipeline::run)) labels its fit population by `NTILE`
//!   itself.
//!
//! Example: `n` = 7, tie-aware, `k` = 5: `m_2..m_5` = 2, 3, 5, 6. Values 1..7 have the
//! cut points 2, 3, 5, 6; the value 4 is strictly better than 2 and 3 and scores 3.
//!
//! # Pareto tiers and ABC
//!
//! Bands of a metric (default `monetary`, direction as for
//! [quantile scores](#quantile-scores)), best first
//! ([`ParetoParams`](crate::classify::pareto::ParetoParams)).
//!
//! **Count basis** (the default; the customer pyramid): bands by share of *customers*.
//! The default bands are platinum 1 %, gold 4 %, iron 15 %, lead the remaining 80 %
//! (the preset `metals`). `p` is the number of scored customers whose value is strictly
//! better than `x`. With cumulative shares `c_1 < c_2 < …` (1 %, 5 %, 20 %, 100 %), a
//! customer is in the first band `b` with `p < c_b·n`, compared exactly (`p·100 < 1·n`
//! for 1 %). Equal values share a band; the best customer is always in the first band; a
//! band may be empty. With `n` = 7: platinum 1, gold 0, iron 1, lead 5. With `n` = 1003
//! distinct values: 11, 40, 150, 802.
//!
//! **Value basis** (ABC analysis, the preset `abc`): bands by share of the *total*. `S`
//! is the sum of the metric over the customers strictly better than `x`; `T` is the sum
//! over all customers with a positive value. Default bands A 80 %, B 15 %, C 5 %: A if
//! `S < 0.80·T`, else B if `S < 0.95·T`, else C. A customer whose value is `≤ 0` is
//! always in the last band. If `T = 0` (no positive value) every customer is in the last
//! band, and a model stores no threshold.
//!
//! Band shares must be positive and sum to exactly 100 %; anything else is a
//! configuration error naming the bands.
//!
//! A fitted model keeps one threshold per band boundary (see
//! [saved models](#saved-models)).
//!
//! ```
//! use customer_tiering::classify::{pareto::ParetoParams, Classifier};
//! use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! use jiff::civil::date;
//! let mut b = PopulationBuilder::new(date(2026, 3, 31));
//! for i in 1..=7 {
//!     let id = CustomerId::new(&format!("C{i}")).unwrap();
//!     b.add(Transaction::new(id, date(2026, 3, 1), i.into()))?;
//! }
//! let model = ParetoParams::metals().fit(&b.finish()?)?;
//! // p = 0 < 0.01·7 for the best; p = 1 is not < 0.05·7 = 0.35, but < 0.20·7 = 1.4
//! assert_eq!(model.sizes(), [1, 0, 1, 5]);
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! # Named RFM segments
//!
//! RFM is three [quantile scores](#quantile-scores): R on `recency_days` (fewer days
//! better), F on `frequency`, M on `monetary` ([`RfmParams`](crate::classify::rfm::RfmParams)).
//! A segment map turns the scores (R, F, M) into a named segment by an ordered list of
//! rules over inclusive score ranges; the first rule that matches wins
//! ([`SegmentMap`](crate::classify::segments::SegmentMap)). A map is data (TOML or
//! JSON) and is checked when loaded: every score cell no rule covers (it falls to the
//! map's declared fallback, e.g. `others`) and every rule that can never fire (earlier
//! rules cover all its cells) is reported, as warning `segment_map_coverage`.
//!
//! A map declares the `k` it is written for; fitting RFM with another `k` and that map
//! is a configuration error. The `tier` CLI uses the default map when `k = 5`; with
//! `--bins K` for another `K` it leaves `rfm_segment` empty for every customer and warns
//! once (`segment_map_bins`).
//!
//! The default map (preset `rfm-default`, `k` = 5) reads R and F only; it covers all 25
//! cells without overlap, so its fallback `others` is never reached:
//!
//! | R \ F | 1 | 2 | 3 | 4 | 5 |
//! |---|---|---|---|---|---|
//! | 5 | new_customers | potential_loyalists | potential_loyalists | champions | champions |
//! | 4 | promising | potential_loyalists | potential_loyalists | loyal_customers | loyal_customers |
//! | 3 | about_to_sleep | about_to_sleep | need_attention | loyal_customers | loyal_customers |
//! | 2 | hibernating | hibernating | at_risk | at_risk | cant_lose |
//! | 1 | hibernating | hibernating | at_risk | at_risk | cant_lose |
//!
//! Two more maps ship, each reproduced exactly from its public source:
//!
//! - `rfm-rsquaredacademy`, the ten ordered rules of the R package `rfm` (`k` = 5, first
//!   match wins, fallback `others`), as `segment: R, F, M` ranges: 1 champions 5–5, 5–5,
//!   5–5; 2 potential_loyalist 3–5, 3–5, 2–5; 3 loyal_customers 2–4, 2–4, 2–4;
//!   4 promising 3–4, 1–3, 3–5; 5 new_customers 4–5, 1–3, 1–5; 6 cant_lose_them 1–2,
//!   3–4, 4–5; 7 at_risk 1–2, 2–5, 4–5; 8 need_attention 1–3, 3–5, 3–5;
//!   9 about_to_sleep 2–3, 1–3, 1–4; 10 lost 1–1, 1–5, 1–5. Ten of the 125 cells fall to
//!   `others` (RFM 215, 241, 251, 252, 341, 351, 441, 451, 541, 551) and 58 match more
//!   than one rule, so order matters.
//! - `rfm-pymc`, the five segments of pymc-marketing (`k` = 4 quartiles, 4 the best,
//!   cells written as RFM digits, fallback `other` for the remaining 18 of 64 cells):
//!   premium_customer 334 443 444 344 434 433 343 333; repeat_customer 244 234 232 332
//!   143 233 243; top_spender 424 414 144 314 324 124 224 423 413 133 323 313 134;
//!   at_risk_customer 422 223 212 122 222 132 322 312 412 123 214; inactive_customer 411
//!   111 113 114 112 211 311.
//!
//! ```
//! use customer_tiering::classify::segments::SegmentMap;
//! let map = SegmentMap::preset("rfm-default")?;
//! assert_eq!(map.segment(5, 4, 1), "champions"); // M is not read
//! assert_eq!(map.segment(2, 5, 5), "cant_lose");
//! let report = SegmentMap::preset("rfm-rsquaredacademy")?.check();
//! assert_eq!(report.uncovered.len(), 10);
//! # Ok::<(), customer_tiering::ConfigError>(())
//! ```
//!
//! # Four-dimension grading and levels
//!
//! Each of four dimensions gets a level, `high`, `mid`, `low` or `none`, by its own rule
//! ([`GradeParams`](crate::classify::grade::GradeParams)): absolute thresholds on a
//! metric or attribute (e.g. `satisfaction ≥ 4 → high`), or relative terciles
//! (tie-aware [quantile scores](#quantile-scores) with `k` = 3 over the scored
//! population: score 3 is high, 2 mid, 1 low), optionally with a `none` condition.
//!
//! **Grades A/B/C/D** (preset `four-dimension`, column `grade`):
//!
//! | dimension | source | level |
//! |---|---|---|
//! | value | `monetary` | terciles ranked over all buyers, those with `monetary ≤ 0` included; those then get `none` instead of their tercile |
//! | need | `frequency` | terciles over all buyers |
//! | relationship | `tenure_days` | terciles over repeat buyers (`frequency ≥ 2`); single-purchase buyers `low` |
//! | potential | `growth` | `> 0` high, `= 0` mid, `< 0` low; none (no spend in the previous window) → low |
//!
//! Points: high 3, mid 2, low 1, none 0, summed over the four dimensions (0..=12). The
//! grade is the nearest archetype (all high A = 12, all mid B = 8, all low C = 4, all
//! none D = 0), ties upward: **A ≥ 10, B ≥ 6, C ≥ 2, else D**. Weights per dimension and
//! the cut points are configurable; so is a full rule table instead of points. With the
//! defaults a buyer scores at least 3 (only value can be `none`), so D is reached by
//! customers without purchases (all four dimensions `none`: prospects from a customers
//! source) or by attribute rules that set `none`.
//!
//! **Levels 1-4** (preset `four-levels`, column `level`), four dimensions with the same
//! points, summed 0..=12:
//!
//! - purchasing power: `monetary_current` terciles ranked over all buyers; `none` when
//!   `monetary_current ≤ 0`;
//! - need clarity: the attribute `intent` (`A` high, `B` mid, `C` low); without it `mid`,
//!   counted as a [missing-data](#missing-data) fill;
//! - loyalty: `frequency` terciles over buyers;
//! - relationship: `tenure_days` terciles over repeat buyers; single-purchase buyers
//!   `low`.
//!
//! Levels by nearest archetype (all high 12, high and mid 10, all mid 8, all low 4), ties
//! upward: **level_1 ≥ 11, level_2 ≥ 9, level_3 ≥ 6, else level_4**. Customers without
//! purchases are level_4.
//!
//! Example: a buyer with value high, need mid, relationship low and potential high has
//! 3 + 2 + 1 + 3 = 9 points: grade B (9 ≥ 6, not ≥ 10).
//!
//! # Composite value tiers
//!
//! Five tiers VIP/A/B/C/D by a composite value score (preset `value-tiers`, column
//! `value_tier`, [`CompositeParams`](crate::classify::composite::CompositeParams)). The
//! inputs are `monetary`, `frequency`, `distinct_products`, `profit` and `growth`, with
//! default weights 0.35, 0.20, 0.10, 0.25 and 0.10.
//!
//! - Each input's percentile is `L/n`, tie-aware as for
//!   [quantile scores](#quantile-scores), with `L` and `n` over the buyers that have the
//!   input. A buyer without `growth` (no spend in the previous window) has percentile 0
//!   for it.
//! - The composite is the weighted sum of the percentiles, kept as an exact fraction and
//!   never rounded.
//! - When no buyer has a profit, its weight moves to `monetary`; when no buyer has a
//!   product, its weight moves to `frequency`.
//! - Bands by customer share on the composite, best first, as the
//!   [count basis](#pareto-tiers-and-abc): VIP 2 %, A 8 %, B 20 %, C 30 %, D 40 %.
//!   Equal composites share a band. Customers without purchases are `d`.
//!
//! Example: ten buyers who bought once each, spending 0 to 9, with no profit, product or
//! growth: monetary weighs 0.35 + 0.25 = 0.60 and frequency 0.20 + 0.10 = 0.30 (every
//! frequency is 1, so `L` = 0 for it). The best buyer has 9 buyers strictly worse in
//! monetary: composite `0.60 · 9/10 = 0.54`.
//!
//! # Lifecycle stages
//!
//! From the attribute `status`, the purchases and `recency_days`, first match wins
//! ([`LifecycleParams`](crate::classify::lifecycle::LifecycleParams), column
//! `lifecycle`, no tier order):
//!
//! 1. `non_customer`: the status says so;
//! 2. `target`: no purchases, status `target`;
//! 3. `prospect`: no purchases;
//! 4. `new`: `tenure_days ≤ 90`;
//! 5. `active`: `recency_days ≤ 90`;
//! 6. `dormant`: `recency_days ≤ 365`;
//! 7. `lost`: otherwise.
//!
//! The three day limits are configurable.
//!
//! # Purchase intent
//!
//! A sales representative's judgement, given as the customer attribute `intent`: A a
//! strong need, B a need but hesitant, C a vague need. The preset `intent` is a
//! [rule set](#rule-sets-and-the-final-tier) over that attribute that writes the column
//! `intent` with the tiers a, b, c.
//!
//! # Rule sets and the final tier
//!
//! A rule set ([`RuleSet`](crate::RuleSet); its file format is in [`rules`](crate::rules))
//! is an ordered list of rules `when <condition> then <outcome>`. Conditions compare
//! metrics, attributes and the labels of other classifiers
//! (`metal == "platinum" and lifecycle in ["active", "new"]`) and combine with `and`,
//! `or`, `not`. Outcomes are of three kinds, applied in this order:
//!
//! 1. **tier**: the final tier. The *first* matching tier rule wins; a rule set without
//!    a catch-all tier rule names the tier an unmatched customer gets (or says it gets
//!    none);
//! 2. **cap / floor**: `at_most X` / `at_least X` (e.g. `credit_rating == "D"` → at most
//!    `c`). *Every* matching one applies, in rule order, against the tier order (best
//!    first) the rule set declares;
//! 3. **tag**: every matching tag rule adds its tag; tags are sorted, without
//!    duplicates. Tag conditions see the final tier, after caps and floors.
//!
//! Rule sets load from TOML or JSON and are checked when loaded: an unknown metric,
//! attribute, label or tier, an impossible range, or a tier rule that can never fire
//! (after an earlier catch-all) is an error naming the rule.
//!
//! Example: tiers `a, b, c, d`; a platinum, active customer with `credit_rating` `D`
//! matches the tier rule giving `a`, then the cap at `c`: its tier is `c`.
//!
//! # Missing data
//!
//! Per metric, one policy for a customer whose metric has no value
//! ([`MissingPolicy`](crate::classify::missing::MissingPolicy)):
//!
//! - `exclude` (the default): no score for that classifier, with a reason;
//! - `fill(value)`: the given value;
//! - `fill(median)`: the lower median over the scored population, the value at position
//!   `ceil(n/2)` in ascending order;
//! - `fill(mean)`: the exact sum divided by the count, rounded half away from zero to 4
//!   decimal places;
//! - `proxy(metric)`: the value of another metric.
//!
//! Fills are computed when the model is fitted and stored in it. The run summary counts
//! how many customers each policy touched; more than 20 % gives the warning
//! `missing_data`.
//!
//! Example: values 3, 1, 4, 2 give the lower median 2 (position `ceil(4/2)` = 2 of
//! 1, 2, 3, 4) and the mean 2.5; values 1, 1, 2 give the mean 1.3333.
//!
//! # Explanations
//!
//! Every label carries why: the metric values, the cut points or thresholds compared,
//! and the rule that fired ([`Explanation`](crate::classify::Explanation)).
//! [`FittedPipeline::explain`](crate::FittedPipeline::explain) gives one per column,
//! and each displays as one line of prose, e.g. `r = 1: recency_days 639 is better than
//! 0 of the 4 cut points …`.
//!
//! # Determinism
//!
//! The same inputs give byte-identical outputs whatever the order of the input rows and
//! the number of threads. Outputs are ordered by `customer_id` in byte order.
//!
//! # Bad input and rejects
//!
//! Every rejected record is reported ([`Reject`](crate::Reject)) with its source, line,
//! field, raw value and reason. The line is the 1-based physical line of the file where
//! the record starts, the header being line 1 (as the csv crate's `Position::line()`
//! counts). Two policies ([`OnInvalid`](crate::source::OnInvalid)):
//!
//! - `fail` (the default): stop at the first bad record, with one line on stderr naming
//!   file, line, field, value and reason, and a non-zero exit;
//! - `skip`: go on and collect the rejects.
//!
//! Nothing is lost silently: the read summary always satisfies
//! `read = accepted + rejected` (data rows, header excluded), and `after_as_of` counts
//! the accepted rows dated after `AS_OF`.
//!
//! **Rejected records**: an empty id, a malformed date, an amount outside the grammar
//! of [inputs](#inputs), a row with too few or too many fields, and in the customers
//! source a duplicate `customer_id` (the first row is kept, every later one rejected).
//! **Stopping the run under either policy**: a missing required column, an unknown
//! column in a mapping, an unreadable file. Under `skip`, `rejects.csv` has the header
//! `source,line,field,value,reason` and one row per reject (the header alone when
//! there is none).
//!
//! Lines are never lost to a quote:
//!
//! - In the **transactions** file no field spans lines. A record whose quoted field
//!   holds a line break is rejected (reason `multiline_field`) at the line where it
//!   starts, and reading resumes at the next physical line: a stray `"` costs one line,
//!   not the rest of the file. Every non-empty physical data line is one record,
//!   counted in `read` exactly once. (`summary.json`'s `read`, `accepted` and
//!   `rejected` count the transactions source; a customers source reports its own under
//!   `customers_source`.)
//! - In the **customers** file a quoted field may hold line breaks (CRM exports do), but
//!   a quote still open at the end of the file stops the run under either policy,
//!   naming the line where it opened.
//! - A record longer than 1 MiB is rejected (reason `record_too_long`) without being
//!   held in memory whole, in either file; this is checked first. Reading a file with
//!   lines of any length needs no more than 1 MiB plus the reader's fixed buffers.
//! - In stderr messages and `rejects.csv` a raw value longer than 200 bytes is cut to
//!   its first 200 bytes, followed by `…` and its full length in bytes.
//! - Duplicate column names in an input header (after trimming) stop the run, naming
//!   both positions.
//! - An overflow names the customer whose figure overflowed or, for a population total,
//!   the figure and column (`revenue_total of metal`), never a made-up id. Legal
//!   settings never overflow (e.g. any hysteresis margin `0 ≤ h < 1` with 28 decimals).
//!
//! What each kind of bad input gives is shown case by case in
//! [`hostile_input`](crate::hostile_input).
//!
//! # Periodic update
//!
//! Tiers are refreshed every period (a month, a quarter). Four things make that safe.
//!
//! ## Saved models
//!
//! A fitted model classifies profiles computed at any later as-of date without
//! refitting ([`FittedPipeline`](crate::FittedPipeline)). Quantile scores use their
//! [cut points](#cut-points-of-a-fitted-model). Pareto bands store one threshold per
//! boundary: with the values sorted best first, `t_b` is the value at 1-based position
//! `ceil(c_b·n)` (count basis), or the smallest positive value whose `S` is below the
//! band's cumulative share of `T` (value basis). A value is in band `b` or better iff it
//! is at least `t_b` (for recency, at most). On the fit population this reproduces the
//! [band rule](#pareto-tiers-and-abc) exactly. Output names the model used (its as-of
//! date and fit size).
//!
//! Example: metals on `n` = 7 distinct values: platinum's threshold is at position
//! `ceil(0.01·7)` = 1 (the best value), gold's at `ceil(0.05·7)` = 1 too (so gold is
//! empty), iron's at `ceil(0.20·7)` = 2.
//!
//! ## Migration
//!
//! Two classifications of the same customers (two as-of dates on one history, or a
//! previous run's `tiers.csv`) are matched by `customer_id`
//! ([`migration`](crate::migration)). Per classifier column: a matrix of counts, rows
//! the earlier label and columns the later one, with a `(none)` row and column for
//! customers present in only one period (new and gone: reported, never dropped). Each
//! cell also carries the exact sums of `monetary` at the earlier and at the later as-of
//! date. A customer moved up or down by the tier order of its scheme (best first; for
//! scores, higher is better); labels without an order (RFM segments, lifecycle) only
//! fill the matrix. Either each period is fitted on its own population (the default:
//! relative tiers), or the earlier model classifies both (fixed thresholds, `--fixed`).
//!
//! ## Hysteresis
//!
//! Optional, for tie-aware quantile scores and count-basis Pareto bands of relative,
//! refitted tiers ([`Hysteresis`](crate::hysteresis::Hysteresis)); asking for it with
//! equal-count scores or with fixed thresholds is a configuration error. A margin `h` (a
//! share, `0 ≤ h < 1`, e.g. 0.02) keeps a customer from flipping back and forth across a
//! cut point. A customer's position is the share of the population strictly worse
//! (`L/n`, scores) or strictly better (`p/n`, bands). A customer with a previous label
//! whose raw label differs is classified as if its position were shifted by `h` toward
//! its previous label, and the result is then clamped to lie between its raw and its
//! previous label, both included. A customer without a previous label gets the raw one.
//! Everything is exact (`h` is a decimal; positions are compared as fractions). With
//! `h = 0` the result is the raw label. The explanation says when hysteresis held a
//! customer back.
//!
//! Example: 100 buyers, M score; a customer with 59 strictly worse has raw M
//! `1 + floor(5·0.59)` = 3. Its previous M was 4: with `h` = 0.02 its position counts
//! as 0.61, `1 + floor(5·0.61)` = 4, within `[3, 4]`: it keeps 4.
//!
//! ## Incremental update
//!
//! A live tiering ([`TieringState`](crate::incremental::TieringState)) holds profiles and
//! a fitted model and takes new transactions one at a time: the customer's profile is
//! updated exactly and the customer classified again with the current model (no
//! refit), so a new order changes that customer's tier at once. The result always equals
//! rebuilding the profile from all its transactions and classifying it with the same
//! model. `drift` reports, per classifier, how many customers would change label if the
//! model were refitted now, so that a user knows when to refit.
//!
//! # Warnings
//!
//! Some input is legal but makes a tier meaningless; a run reports it as a warning
//! ([`Warning`](crate::classify::Warning): a stable code, the classifier, the figures
//! involved), in the summary and on stderr, never silently. An empty scored population
//! is an error, not a warning. The codes:
//!
//! | code | when |
//! |---|---|
//! | `too_few_buyers` | fewer than `10·k` buyers for `k` quantile bins |
//! | `empty_score` | a quantile score left empty, with the tie that emptied it |
//! | `empty_band` | a Pareto band left empty |
//! | `single_value` | a ranked metric with one distinct value among the buyers |
//! | `missing_data` | a missing-data policy touched more than 20 % of the population |
//! | `segment_map_coverage` | the segment map leaves cells to its fallback, or has rules that can never fire |
//! | `rejected_rows` | rows were rejected under `skip`: how many of how many read, the share, and where the rejects were written |
//! | `segment_map_bins` | (`tier`) the default segment map does not fit `--bins` |
//! | `model_after_data` | (`tier`) a saved model applied to data whose as-of date is before its own |
//!
//! On stderr each warning is one line, `warning: CODE: message`, CODE in lower snake
//! case; `--quiet` never hides warnings or errors.
//!
//! # Summary figures
//!
//! Per classifier column and label, and for the final tier
//! ([`report::Summary`](crate::report::Summary)):
//!
//! | figure | definition |
//! |---|---|
//! | `customers` | the customers with the label |
//! | `share` | `customers / n` |
//! | `revenue` | the exact sum of `monetary` |
//! | `revenue_share` | `revenue` / the total revenue over the labels with positive revenue; none when that total is `≤ 0` (so `revenue_share` sums to 1 over those labels only) |
//! | `average_order_value` | `revenue` / the label's `transactions` (rows, as in [profile metrics](#profile-metrics)); none when 0 |
//! | `median_recency_days` | the lower median (the value at position `ceil(n/2)` in ascending order) of `recency_days` over the label's buyers; none without buyers |
//!
//! `n` is the classifier's population: its scored customers and, when a customers source
//! is given, its unscored ones, under the label `(unscored)`. `revenue_total` is the
//! exact sum of `monetary` over all customers of the run. Machine outputs carry shares
//! and averages rounded to 4 decimal places, half away from zero; tables for people may
//! show fewer. Totals over labels equal the totals over customers exactly.
//!
//! Example: a label with 2 of 8 customers, revenue 300.00 of a positive total 900.00,
//! over 7 rows: `share` 0.2500, `revenue_share` 0.3333, `average_order_value` 42.8571.
//!
//! ## The management table
//!
//! One row per classifier column and label: every label the column can take, empty ones
//! with 0 customers, in the column's label order (ordered labels best first, the others
//! in byte order), `(unscored)` last when some customers have none
//! ([`management_table`](crate::report::management_table)). Its columns: `classifier`,
//! `tier`, `criterion`, `customers`, `share`, `revenue`, `revenue_share`,
//! `average_order_value`, `customers_in`, `customers_out`, `revenue_change`,
//! `playbook`; the figures are the [summary figures](#summary-figures).
//!
//! - `criterion`: the rule of the fitted model that puts a customer there
//!   ([`Model::criteria`](crate::classify::Model::criteria)), in words in the run's
//!   language, numbers as plain decimals without grouping:
//!   - a quantile score: the values strictly better than the cut point below it and
//!     not strictly better than the one above (`20 < monetary ≤ 30`,
//!     `recency_days < 61`); an empty score: the tie that emptied it (`empty: 62
//!     customers share the value 2`);
//!   - a Pareto band: at least its threshold and short of the band above's
//!     (`monetary ≥ 1209.00`, `31.35 ≤ monetary < 59.92`); on a value basis the last
//!     band adds `or monetary ≤ 0`; an empty band says so with its range;
//!   - a composite band: `composite ≥` its threshold rounded down to 6 decimals; the
//!     last band: below the band above;
//!   - a named segment: the boxes of R, F and M scores that give it (`R 5 and F 4–5`;
//!     a score left out takes any value);
//!   - a grade or level: the points it needs (`points ≥ 10`), or for a grade table the
//!     combinations of dimension levels;
//!   - a lifecycle stage: its condition (stages are tried in order);
//!   - a rule-set tier: the rules that give it, the caps and floors that move
//!     customers into it, and whether it is the default;
//!   - `(unscored)`: the reasons (no purchase on or before the as-of date, or a
//!     missing metric);
//!   - an application's own classifier: empty unless its model says.
//! - With a comparison, from the [migration](#migration) matrix of that column:
//!   `customers_in`, the customers of the cells (another label or `(none)` → this
//!   label); `customers_out`, those of (this label → another label or `(none)`); and
//!   `revenue_change`, this label's `revenue` now minus its `revenue` in the earlier
//!   period, exact (a label absent before counts 0). Without a comparison the three are
//!   empty.
//! - `playbook`: the label's service advice
//!   ([display names and playbooks](#display-names-and-playbooks)) in the run's
//!   language, empty where none is known.
//!
//! # CLI files and exit codes
//!
//! The example program `tier` writes into `--out` (every file UTF-8 with `\n` line
//! ends; CSV comma-separated with a header; rows in byte order of `customer_id`; money
//! printed exactly, never in exponent form):
//!
//! | file | when | content |
//! |---|---|---|
//! | `tiers.csv` | unless `--format jsonl` | `customer_id,recency_days,frequency,transactions,monetary,tenure_days,r,f,m,rfm_segment,metal`, then one column per further classifier asked for (its preset's column: `grade`, `level`, `value_tier`, `abc`, `lifecycle`, `intent`), then `tier` and `tags` (`;`-joined, sorted) when a rule set is given. One row per buyer; with `--customers`, also every customer of that file without purchases (empty scores). A value that is none is an empty field. |
//! | `summary.json` | always | `read`, `accepted`, `rejected`, `after_as_of`, `customers` (the rows of `tiers.csv`), `buyers`, `as_of`, `model` (`as_of`, `fit_size`), `labels` (per column, per label: the [summary figures](#summary-figures), decimals as strings; in a comparison, those of the later date), `previous_labels` (the earlier period, in a comparison), `revenue_total`, `warnings` (each `code`, `classifier`, `message`, `figures`), `management` (the [management table](#the-management-table), keys as in `management.csv`), `files` (every file the run wrote, `summary.json` included) |
//! | `rejects.csv` | `--on-invalid skip` | `source,line,field,value,reason` |
//! | `model.json` | always | the fitted pipeline; `tier --model` loads it |
//! | `previous_tiers.csv` | `--compare-as-of` | the columns of `tiers.csv` at the earlier date, one row per buyer at that date |
//! | `migration.csv` | a comparison | `classifier,from,to,customers,monetary_before,monetary_after`; `classifier` is the `tiers.csv` column; `(none)` for a customer absent from a period, whose monetary there counts 0; one row per non-empty cell, sorted by classifier, from, to (byte order) |
//! | `migration.json` | a comparison | the same matrices; per ordered column the ids upgraded, downgraded, new and gone |
//! | `tiers.jsonl`, `migration.jsonl` | `--format jsonl` | instead of the CSV: one JSON object per row, keys as the CSV header; integers as JSON numbers, money and other decimals as strings, labels as strings, empty as null |
//! | `pyramid.svg`, `chart_<column>.svg`, `rfm_heatmap.svg`, `migration.svg` | unless `--no-charts` | the summary figures as charts (`pyramid.svg` for `metal`, `chart_<column>.svg` for every other label column); the last only with a comparison |
//! | `management.csv` | always | the [management table](#the-management-table); `tier`, `criterion` and `playbook` in `--lang` |
//! | `report.html` | unless `--no-report` | one self-contained page in `--lang` ([`report_html`](crate::report::report_html)): inputs and counts, warnings, the management tables, the charts, the migration grids; aggregates only, no per-customer rows, no script |
//! | `tiers.xlsx` | `--xlsx` (feature `xlsx`) | sheets `Management` (the management table), `Customers` (the `tiers.csv` columns, ids as text, money as numbers where a 15-digit number shows it exactly, else text; past 1,048,575 customers continued on `Customers 2`, `Customers 3` …), `Migration` (with a comparison), `Warnings`, `Rejects` (under `skip`, the first 10,000); label cells and messages in `--lang` ([`TiersWorkbook`](crate::output::TiersWorkbook)) |
//!
//! **Languages.** `--lang en|zh-Hant|zh-Hans` (`zh` is `zh-Hans`) changes what people
//! read: the display names of labels, the criteria and playbooks of the management
//! table, warnings' messages and `--explain`'s explanations, and the headers and
//! markers (`(total)`, `(unscored)`) of the stdout table — in that table, on stderr,
//! in the charts, in `report.html`, and in the label, criterion and playbook cells of
//! `management.csv` and `tiers.xlsx`. `summary.json` is for programs: its warnings keep their English
//! messages. It never changes
//! keys: file names, column headers, column names, and the labels in `tiers.csv`,
//! `tiers.jsonl` and `migration.csv`.
//!
//! **The stdout table** has one row per column and label, in the columns `column`,
//! `label`, `customers`, `share`, `revenue`, `rev.share` (headers in `--lang`), padded by
//! display width (a wide East Asian character counts 2), numbers right-aligned; a
//! `(total)` row ends it; other tables (migration) follow after a blank line.
//!
//! **Exit codes**: 0 success (warnings allowed); 1 bad data or configuration, with one
//! line on stderr saying what and where; 2 a usage error in the command line. A panic
//! is a bug whatever the input.
//!
//! # Output safety
//!
//! How `tier` (and an application using [`OutputDir`](crate::output::OutputDir)) keeps
//! `--out` consistent:
//!
//! - **All or nothing.** A run that fails changes no file: every output is written under
//!   a temporary name in the same directory (starting `.tier-tmp-`) and renamed into
//!   place only when the whole run has succeeded. Temporary files are removed when a run
//!   fails, and any left by a killed run are removed by the next run that holds the
//!   lock. One exception: under `skip`, a run that read data and then fails (every row
//!   rejected, say) still writes `rejects.csv`. A killed run or a full disk leaves the
//!   previous run's files intact and no partial file under a final name.
//!   `summary.json` is renamed last and lists the run's files, so a reader can tell a
//!   complete, current set.
//! - **No stale files.** On success, every file of the [list above](#cli-files-and-exit-codes)
//!   that this run did not produce (`migration.csv` from an earlier comparison,
//!   `tiers.csv` after `--format jsonl`, charts after `--no-charts`, `rejects.csv`
//!   without `skip` …) is removed. Files not on that list are never touched.
//! - **One run per directory.** A run holds an exclusive advisory lock (`flock`) on the
//!   file `.tier.lock` in `--out`; a second run into the same directory fails at once
//!   with exit 1.
//! - **Check before reading.** Every setting that can be checked without data is checked
//!   before the first data row is read: flag values and combinations, such as
//!   hysteresis with equal-count (exit 2); rule sets, segment maps, presets, column
//!   mappings, input formats and a saved model (exit 1). What needs the data, such as an
//!   `--explain` id that is not in it, fails after reading with exit 1, before any file
//!   is written.
//! - **Names.** Output column names are unique across `tiers.csv` and match
//!   `[a-z][a-z0-9_]*`; a rule set or classifier column that clashes with a metric or
//!   another column (`column = "monetary"`) is a configuration error.
//! - **Saved models are checked like fresh settings.** `model.json` carries a
//!   `format_version`; loading it checks the version, every model's own invariants,
//!   every rule set against the columns the model has (an unknown column or label is an
//!   error naming the rule), every segment map as a freshly loaded one (cells no rule
//!   covers and rules that can never fire give the warning `segment_map_coverage`), and
//!   that the fixed columns of `tiers.csv` are present. A hand-edited `--previous` file
//!   is checked the same way: an unknown label for a column is an error naming the line.
//! - **Empty populations** are an error (exit 1), whether the run fits or applies a
//!   model.
//!
//! # Input formats
//!
//! The transactions and customers sources read a declared format; nothing is guessed
//! ([`format`](mod@crate::format)). The defaults are those of [inputs](#inputs). A
//! format is given as `tier` flags (the keys in kebab case: `--decimal-separator`) or as
//! an input profile file (`--input-profile FILE`, TOML; flags override it; it applies to
//! both files, and a `[customers]` table in it overrides keys for the customers file),
//! with the same names in the library
//! ([`InputProfile`](crate::format::InputProfile)). A delimiter, decimal separator and
//! thousands separator that coincide are a configuration error.
//!
//! | key / flag | values | default |
//! |---|---|---|
//! | `delimiter` | one ASCII character, or `tab` | `,` |
//! | `quote` | one ASCII character | `"` |
//! | `decimal_separator` | `.` or `,` | `.` |
//! | `thousands_separator` | `none`, `,`, `.`, `space` (also U+00A0, U+202F), `'` | `none` |
//! | `date_format` | a pattern of `%Y` (4 digits), `%m`, `%d` (1 or 2 digits) and literal separators; the rest of the field must be empty or start with `T` or a space | `%Y-%m-%d`, read with 2 digits each |
//! | `encoding` | `utf-8`, `utf-16` (byte-order mark required), `gbk`, `gb18030`, `big5`, `windows-1252` | `utf-8` |
//! | `currency_symbol` | text stripped once from the start or end of an amount | none |
//! | `sheet` | a workbook sheet name or 1-based index (`.xlsx`, `.xls`, `.ods` …) | the first |
//! | `[columns]` | `customer_id = "Kunde"` … (as `--columns`) | the names of [inputs](#inputs) |
//!
//! - An **amount** under a declared format is read by removing the currency symbol,
//!   then the thousands separators, which may stand only between groups of exactly three
//!   digits left of the decimal separator (`1.890,00` under `,`/`.`; `18.90,00` is a
//!   reject), then reading the amount grammar with the declared decimal separator. The
//!   value is exact.
//! - A UTF-8 byte-order mark is stripped; CRLF line ends are accepted under every
//!   format; bytes invalid in the declared encoding reject their line (reason
//!   `encoding`).
//! - A **date** is read by the pattern; a value that does not fit is a reject naming the
//!   format.
//! - When the required columns are missing, the error adds a hint from the first lines
//!   (another delimiter that would split the header, a date shape), but the run still
//!   stops.
//! - **Workbook cells**: text as text; dates as dates (serial dates by the workbook's
//!   1900 or 1904 system); a number as the stored double rounded to 15 significant
//!   digits (a spreadsheet's display precision), trailing zeros dropped, so `8.30` reads
//!   as `8.3` and sums print the scale the cells carry; ids always as text. A workbook
//!   reject's location is the sheet and cell (`Orders!C17`).
//!
//! ```
//! use customer_tiering::format::{FormatKeys, InputFormat};
//! let mut german = FormatKeys::default();
//! german.set("delimiter", ";")?;
//! german.set("decimal_separator", ",")?;
//! german.set("thousands_separator", ".")?;
//! let german = german.apply(InputFormat::default())?;
//! assert_eq!(german.read_amount(b"1.890,00").unwrap().to_string(), "1890.00");
//! assert!(german.read_amount(b"18.90,00").is_err()); // a group of two digits
//! # Ok::<(), customer_tiering::ConfigError>(())
//! ```
//!
//! # Presets
//!
//! Each preset is plain data, the same format a user writes, loaded by its key
//! ([`presets::preset`](crate::presets::preset)). Labels are lower-case English keys;
//! people see [display names](#display-names-and-playbooks).
//!
//! | key | defined in | column in `tiers.csv` | labels, best first |
//! |---|---|---|---|
//! | `four-dimension` | [grading](#four-dimension-grading-and-levels) | `grade` | a, b, c, d |
//! | `four-levels` | [levels](#four-dimension-grading-and-levels) | `level` | level_1 … level_4 |
//! | `value-tiers` | [composite value tiers](#composite-value-tiers) | `value_tier` | vip, a, b, c, d |
//! | `metals` | [count basis](#pareto-tiers-and-abc) | `metal` | platinum, gold, iron, lead |
//! | `abc` | [value basis](#pareto-tiers-and-abc) | `abc` | a, b, c |
//! | `lifecycle` | [lifecycle stages](#lifecycle-stages) | `lifecycle` | no order: non_customer, target, prospect, new, active, dormant, lost |
//! | `intent` | [purchase intent](#purchase-intent) | `intent` | a, b, c |
//! | `rfm-default`, `rfm-rsquaredacademy`, `rfm-pymc` | [named RFM segments](#named-rfm-segments) | `rfm_segment` | no order |
//!
//! The grade, level, composite and metal schemes come from Chinese sales-management
//! practice (客戶層級: 價值·需求·關係·潛力). The metals' 1/4/15/80 split is that of the
//! source documents; in the customer-pyramid literature (Zeithaml, Rust & Lemon 2001)
//! the tiers are defined by profitability. Both are configurable.
//!
//! # Display names and playbooks
//!
//! Files keep the label keys; people see display names in English, Traditional Chinese
//! (`zh-Hant`) or Simplified Chinese (`zh-Hans`), and each preset label has a playbook,
//! the service advice for its customers ([`names`](crate::names)). A rule set may give
//! its own tiers names and playbooks (`tier_info`, see [`rules`](crate::rules#the-file)),
//! which take precedence; a segment map may name its own segments.
//!
//! | key | en | zh-Hant | zh-Hans |
//! |---|---|---|---|
//! | grade a/b/c/d | A / B / C / D | A級 / B級 / C級 / D級 | A级 / B级 / C级 / D级 |
//! | level_1 … level_4 | Level 1 … Level 4 | 一級客戶 … 四級客戶 | 一级客户 … 四级客户 |
//! | value_tier vip/a/b/c/d | VIP / A / B / C / D | VIP客戶 / A類客戶 / B類客戶 / C類客戶 / D類客戶 | VIP客户 / A类客户 / B类客户 / C类客户 / D类客户 |
//! | platinum / gold / iron / lead | Platinum / Gold / Iron / Lead | 白金顧客 / 黃金顧客 / 鐵顧客 / 鉛顧客 | 白金顾客 / 黄金顾客 / 铁顾客 / 铅顾客 |
//! | abc a/b/c | A / B / C | A類 / B類 / C類 | A类 / B类 / C类 |
//! | non_customer / target / prospect | Non-customer / Target / Prospect | 非客戶 / 目標客戶 / 潛在客戶 | 非客户 / 目标客户 / 潜在客户 |
//! | new / active / dormant / lost | New / Active / Dormant / Lost | 新客戶 / 活躍客戶 / 沉寂客戶 / 流失客戶 | 新客户 / 活跃客户 / 沉寂客户 / 流失客户 |
//! | intent a/b/c | Intent A / B / C | A類意向 / B類意向 / C類意向 | A类意向 / B类意向 / C类意向 |
//! | dimensions | value, need, relationship, potential | 價值、需求、關係、潛力 | 价值、需求、关系、潜力 |
//! | high / mid / low / none | high / mid / low / none | 高 / 中 / 低 / 無 | 高 / 中 / 低 / 无 |
//! | relationship high/mid/low | tight / stable / loose | 緊密型 / 穩定型 / 鬆散型 | 紧密型 / 稳定型 / 松散型 |
//!
//! RFM segment names:
//!
//! | keys | en | zh-Hant | zh-Hans |
//! |---|---|---|---|
//! | champions | Champions | 冠軍客戶 | 冠军客户 |
//! | loyal_customers | Loyal customers | 忠誠客戶 | 忠诚客户 |
//! | potential_loyalists, potential_loyalist | Potential loyalists | 潛在忠誠客戶 | 潜在忠诚客户 |
//! | new_customers | New customers | 新進客戶 | 新进客户 |
//! | promising | Promising | 有潛力客戶 | 有潜力客户 |
//! | need_attention | Need attention | 需要關注 | 需要关注 |
//! | about_to_sleep | About to sleep | 即將沉睡 | 即将沉睡 |
//! | at_risk | At risk | 有流失風險 | 有流失风险 |
//! | cant_lose, cant_lose_them | Can't lose them | 不能失去 | 不能失去 |
//! | hibernating | Hibernating | 冬眠客戶 | 冬眠客户 |
//! | lost | Lost | 已流失 | 已流失 |
//! | others, other | Others | 其他 | 其他 |
//! | premium_customer | Premium customers | 優質客戶 | 优质客户 |
//! | repeat_customer | Repeat customers | 回購客戶 | 回购客户 |
//! | top_spender | Top spenders | 高消費客戶 | 高消费客户 |
//! | at_risk_customer | At-risk customers | 有流失風險客戶 | 有流失风险客户 |
//! | inactive_customer | Inactive customers | 不活躍客戶 | 不活跃客户 |
//!
//! Playbooks, in short:
//!
//! - grades: A a dedicated account manager, regular visits, priority resources; B
//!   regular contact, understand needs, grow; C basic contact, low-cost channels; D
//!   minimal cost, periodic re-evaluation;
//! - levels: 1 premium products and service, long-term partnership, a dedicated account
//!   manager; 2 more communication, targeted offers, regular follow-up visits; 3 raise
//!   awareness, promotions, a customer file and periodic visits; 4 lower acquisition
//!   cost, targeted campaigns, market research;
//! - value tiers: VIP personalised service, extra resources; A regular visits, tailored
//!   solutions; B regular contact, develop potential; C basic service, watch for change;
//!   D minimal service, consider the cost to serve;
//! - metals: platinum protect and deepen (a named senior account manager, early access,
//!   joint planning); gold grow toward platinum (regular reviews, loyalty benefits,
//!   cross-selling); iron serve efficiently and upsell (standard service, targeted
//!   offers); lead a low cost to serve (self-service and automated channels, review
//!   pricing);
//! - lifecycle: prospect and target build the relationship, record the expected purchase
//!   time; new onboarding; active keep; dormant a reactivation offer; lost win-back
//!   contact, ask why;
//! - intent: A strong need; B convert to A; C nurture with spare time;
//! - RFM segments: champions reward, early access, ask for referrals; loyal customers
//!   upsell, a loyalty programme; potential loyalists membership offers,
//!   recommendations; new customers onboarding, an incentive for the second purchase;
//!   promising build awareness, trials; need attention time-limited offers from their
//!   history; about to sleep reconnect with popular products; at risk personal win-back,
//!   renewals; can't lose them urgent personal contact; hibernating a relevant
//!   reactivation offer, else stop spending; lost one win-back campaign, then leave;
//!   premium keep delighted; repeat reward frequency; top spenders raise frequency;
//!   inactive reactivate or suppress; others review the map.
