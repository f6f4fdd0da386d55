//! # customer-tiering
//!
//! Sorts a company's customers into tiers so that sales and service effort goes where
//! it pays: RFM quintile scores and named segments, Pareto metal tiers (platinum 1 %,
//! gold 4 %, iron 15 %, lead 80 %) and ABC analysis, each fitted on a population into
//! a serialisable model that then classifies any customer — new ones too — and explains
//! every label. Every figure is defined exactly in the [`definitions`] chapter; money is
//! `rust_decimal`, never a float.
//!
//! ```
//! use customer_tiering::classify::{pareto::ParetoParams, rfm::RfmParams};
//! use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
//! use customer_tiering::{FittedPipeline, PipelineBuilder, PopulationBuilder};
//! use jiff::civil::date;
//!
//! let csv = "customer_id,date,amount\n\
//!            C1,2026-03-30,120.00\nC1,2026-01-15,80.00\nC2,2025-11-02,15.50\n\
//!            C3,2026-03-01,42.00\nC4,2024-06-30,7.25\nC5,2026-02-14,300.00\n";
//! let source = CsvTransactions::from_reader("orders.csv", csv.as_bytes(), &ColumnMapping::default())?;
//! let ingested = ingest(source, PopulationBuilder::new(date(2026, 3, 31)), OnInvalid::Fail, |_| {})?;
//! assert_eq!(ingested.summary.read, 6);
//!
//! let pipeline = PipelineBuilder::new()
//!     .classifier(RfmParams::default())
//!     .classifier(ParetoParams::metals())
//!     .build()?;
//! let (fitted, tiering) = pipeline.run(&ingested.population)?;
//! assert_eq!(tiering.label("C5", "metal").unwrap().to_string(), "platinum");
//! assert_eq!(tiering.label("C1", "rfm_segment").unwrap().to_string(), "champions");
//!
//! // The fitted pipeline is plain data: save it, load it, classify anyone with it.
//! let loaded = FittedPipeline::from_json("model.json", &fitted.to_json()?)?;
//! let c4 = ingested.population.profile_of("C4").unwrap();
//! assert_eq!(loaded.classify(&c4), fitted.classify(&c4));
//! for line in loaded.explain(&c4) {
//!     println!("{line}"); // r = 1: recency_days 639 is better than 0 of the 4 cut points …
//! }
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! ## Overview
//!
//! What each figure and label means, exactly — metrics, scores, bands, grades, rejects,
//! summary figures, the files of `tier` — is the [`definitions`] chapter; the last
//! column below links to its section.
//!
//! | step | type | defined in |
//! |---|---|---|
//! | read transactions | [`source::Source`], [`source::CsvTransactions`], [`source::MemorySource`], [`source::ingest`] | [inputs](crate::definitions#inputs), [rejects](crate::definitions#bad-input-and-rejects) |
//! | per-customer metrics | [`PopulationBuilder`] → [`Population`] (columns; a [`Profile`] per customer on demand) | [profile metrics](crate::definitions#profile-metrics) |
//! | a whole file on every core | [`source::ingest_csv`] into an [`aggregate::Aggregator`] | [profile metrics](crate::definitions#profile-metrics), [determinism](crate::definitions#determinism) |
//! | quantile scores | [`classify::quantile::CutPoints`] (tie-aware, equal-count = SQL `NTILE`) | [quantile scores](crate::definitions#quantile-scores) |
//! | RFM + segments | [`classify::rfm::RfmParams`], [`classify::segments::SegmentMap`] | [quantile scores](crate::definitions#quantile-scores), [segments](crate::definitions#named-rfm-segments) |
//! | Pareto / ABC | [`classify::pareto::ParetoParams`] | [Pareto tiers and ABC](crate::definitions#pareto-tiers-and-abc) |
//! | customer attributes | [`source::customers::read_customers`], [`attributes::Attributes`], [`PopulationBuilder::finish_with`] | [inputs](crate::definitions#inputs) |
//! | four-dimension grades, levels 1-4 | [`classify::grade::GradeParams`] | [grading and levels](crate::definitions#four-dimension-grading-and-levels) |
//! | lifecycle stages | [`classify::lifecycle::LifecycleParams`] | [lifecycle stages](crate::definitions#lifecycle-stages) |
//! | VIP/A/B/C/D by a composite score | [`classify::composite::CompositeParams`] | [composite value tiers](crate::definitions#composite-value-tiers) |
//! | missing data | [`classify::missing::MissingPolicy`] | [missing data](crate::definitions#missing-data) |
//! | rule sets: final tier, caps, floors, tags | [`rules::RuleSet`], or an application's own [`rules::TierRules`] | [rule sets](crate::definitions#rule-sets-and-the-final-tier) |
//! | an application's own classifiers, saved and loaded by kind | [`classify::Classifier`], [`classify::Model`], [`Registry`] | |
//! | explanations: values, written in English by `Display` | [`FittedPipeline::explain`] → [`classify::Explanation`] | [explanations](crate::definitions#explanations) |
//! | names (en, zh-Hant, zh-Hans) and playbooks | [`names`] | [display names](crate::definitions#display-names-and-playbooks) |
//! | schemes by name | [`presets::preset`] | [presets](crate::definitions#presets) |
//! | saved models, migration, hysteresis, live updates | [`migration`], [`hysteresis`], [`incremental`] | [periodic update](crate::definitions#periodic-update) |
//! | `tiers.csv` | [`output::write_tiers_csv`] | [CLI files](crate::definitions#cli-files-and-exit-codes) |
//! | an output directory written all or nothing, locked, without stale files | [`output::OutputDir`], [`output::TIER_FILES`] | [output safety](crate::definitions#output-safety) |
//! | summary figures, warnings | [`report::Summary`], [`report::warnings`] | [warnings](crate::definitions#warnings), [summary figures](crate::definitions#summary-figures) |
//! | all together | [`PipelineBuilder`] → [`Pipeline`] → [`FittedPipeline`] + [`Tiering`] | [determinism](crate::definitions#determinism) |
//!
//! ## Sources and rejects
//!
//! A [`source::Source`] yields records or rejects; [`source::ingest`] applies the
//! policy once: [`source::OnInvalid::Fail`] stops at the first bad record with an error
//! naming file, line, field, raw value and reason; [`source::OnInvalid::Skip`] hands
//! every [`Reject`] to a callback as it is found and counts it. A reject's [`Location`]
//! names its source and where in it the record is ([`error::Position`]): a physical
//! line of a file, the number of a record of data in memory or of a stream, or a table
//! and row key of a database, so that an application's own source says where in its
//! own terms ([`Reject::new`]); [`output::reject_row`] writes one as a row of
//! `rejects.csv`. The
//! [`source::ReadSummary`] always satisfies `read = accepted + rejected`, and counts
//! the accepted rows dated after the as-of date in `after_as_of`. The CSV sources read
//! in bounded memory: a transactions record is one physical line (a stray quote costs
//! that line alone), a record over 1 MiB is rejected unread, and a raw value over 200
//! bytes is shown cut ([`hostile_input`]).
//!
//! ## Reading your exports
//!
//! Files are read in a format that is declared, never guessed ([`format`](mod@format)): the
//! delimiter and quote, the decimal and thousands separators, a date pattern, the text
//! encoding and a currency symbol. A team writes its CRM's format once as an input
//! profile ([`format::InputProfile`], TOML, with the column names in `[columns]`) and
//! passes it to [`source::CsvTransactions::open`] or
//! [`with_format`](source::CsvTransactions::with_format) (and
//! [`source::customers::CsvCustomers::open`]); `tier` takes it as `--input-profile FILE`
//! or as one flag per key (`--decimal-separator ,`). A value that does not fit is
//! rejected with the format it was read with; a header without the required columns
//! stops the run with hints ("the header has 3 `;` and no `,`: is the delimiter
//! `;`?"). Each example below reads one kind of export.
//!
//! A German CRM: semicolons, `31.12.2024`, `1.890,50 €`:
//! ```
//! use customer_tiering::format::InputProfile;
//! use customer_tiering::source::{ingest, CsvTransactions, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//! let profile = InputProfile::from_toml(r#"
//!     delimiter = ";"
//!     decimal_separator = ","
//!     thousands_separator = "."
//!     date_format = "%d.%m.%Y"
//!     currency_symbol = "€"
//!     encoding = "utf-8"          # or "windows-1252", as older exports are
//!     [columns]
//!     customer_id = "Kunde"
//!     date = "Datum"
//!     amount = "Betrag"
//! "#)?;
//! let (format, _) = profile.formats()?;
//! let export = "Kunde;Datum;Betrag\nMüller;31.12.2024;1.890,50 €\n";
//! let source = CsvTransactions::with_format("crm.csv", export.as_bytes(), profile.columns(), &format)?;
//! let population = ingest(source, PopulationBuilder::new(date(2025, 1, 31)), OnInvalid::Fail, |_| {})?.population;
//! assert_eq!(population.get("Müller").unwrap().monetary.to_string(), "1890.50");
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! A French export, spaces between thousands (a plain, no-break or narrow no-break
//! space), and a US Excel export saved as tab-separated text with quoted `"$1,890.50"`
//! (a comma-separated file cannot also use `,` between thousands: the keys would clash):
//! ```
//! use customer_tiering::format::FormatKeys;
//! use customer_tiering::format::InputFormat;
//! let mut french = FormatKeys::default();
//! french.set("delimiter", ";")?;
//! french.set("decimal_separator", ",")?;
//! french.set("thousands_separator", "space")?;
//! french.set("date_format", "%d/%m/%Y")?;
//! let french = french.apply(InputFormat::default())?;
//! assert_eq!(french.read_amount("1\u{202f}890,50".as_bytes()).unwrap().to_string(), "1890.50");
//! assert_eq!(french.date_format.read(b"31/12/2024").unwrap().to_string(), "2024-12-31");
//!
//! let mut us = FormatKeys::default();
//! us.set("delimiter", "tab")?;
//! us.set("thousands_separator", ",")?;
//! us.set("date_format", "%m/%d/%Y")?;
//! us.set("currency_symbol", "$")?;
//! let us = us.apply(InputFormat::default())?;
//! assert_eq!(us.read_amount(b"-$1,890.50").unwrap().to_string(), "-1890.50");
//! assert!(us.read_amount(b"$18,90.50").is_err()); // a group of two digits
//! # Ok::<(), customer_tiering::ConfigError>(())
//! ```
//!
//! Chinese CRMs in GBK (simplified) or Big5 (traditional), and Excel's "Unicode text"
//! (UTF-16 with a byte-order mark, tab-separated): the encoding is declared, and a line
//! with bytes the encoding does not allow is rejected (reason `encoding`):
//! ```
//! use customer_tiering::format::{Encoding, InputFormat};
//! use customer_tiering::source::{ingest, ColumnMapping, CsvTransactions, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//! let gbk: &[u8] = b"\xbf\xcd\xbb\xa7,\xc8\xd5\xc6\xda,\xbd\xf0\xb6\xee\n\xcd\xf5\xd0\xa1\xbd\xe3,2024/12/31,12.50\n";
//! let big5: &[u8] = b"\xab\xc8\xa4\xe1,\xa4\xe9\xb4\xc1,\xaa\xf7\xc3B\n\xa4\xfd\xa4p\xa9j,2024/12/31,12.50\n";
//! for (bytes, encoding, columns) in [
//!     (gbk, Encoding::Gbk, "customer_id=客户,date=日期,amount=金额"),
//!     (big5, Encoding::Big5, "customer_id=客戶,date=日期,amount=金額"),
//! ] {
//!     let format = InputFormat { encoding, date_format: "%Y/%m/%d".parse()?, ..InputFormat::default() };
//!     let source = CsvTransactions::with_format("crm.csv", bytes, &ColumnMapping::parse(columns)?, &format)?;
//!     let population = ingest(source, PopulationBuilder::new(date(2025, 1, 31)), OnInvalid::Fail, |_| {})?.population;
//!     assert_eq!(population.get("王小姐").unwrap().monetary.to_string(), "12.50");
//! }
//! let utf16: Vec<u8> = [0xFF, 0xFE].into_iter()
//!     .chain("customer_id\tdate\tamount\nC1\t2024-12-31\t5.00\n".encode_utf16().flat_map(u16::to_le_bytes))
//!     .collect();
//! let format = InputFormat { encoding: Encoding::Utf16, delimiter: b'\t', ..InputFormat::default() };
//! let source = CsvTransactions::with_format("unicode.txt", &utf16[..], &ColumnMapping::default(), &format)?;
//! let population = ingest(source, PopulationBuilder::new(date(2025, 1, 31)), OnInvalid::Fail, |_| {})?.population;
//! assert_eq!(population.get("C1").unwrap().monetary.to_string(), "5.00");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! A workbook (`.xlsx`, `.xlsm`, `.xlsb`, `.xls`, `.ods`; feature `workbooks`, on by
//! default) is read from one sheet by cell type ([`source::workbook`]): dates as dates
//! (by the workbook's 1900 or 1904 system), numbers as the decimal a spreadsheet shows
//! (15 significant digits), ids always as text, and a reject names the cell
//! (`Orders!C17`):
//! ```
//! # #[cfg(feature = "workbooks")] {
//! use customer_tiering::format::{InputFormat, Sheet};
//! use customer_tiering::source::workbook::WorkbookTransactions;
//! use customer_tiering::source::{ingest, ColumnMapping, OnInvalid};
//! use customer_tiering::PopulationBuilder;
//! use jiff::civil::date;
//! let book = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/dialects/orders_1904.xlsx");
//! let format = InputFormat { sheet: Some(Sheet::Name("Orders".into())), ..InputFormat::default() };
//! let source = WorkbookTransactions::from_path(book, &ColumnMapping::default(), &format)?;
//! let population = ingest(source, PopulationBuilder::new(date(2025, 12, 31)), OnInvalid::Fail, |_| {})?.population;
//! assert_eq!(population.get("00001").unwrap().frequency, 4); // a text id keeps its zeros
//! # }
//! # Ok::<(), customer_tiering::Error>(())
//! ```
//!
//! Parquet files are not read here: scanning them is the job of a distributed engine,
//! and belongs to the planned `customer-tiering-datafusion` member crate, which keeps
//! Apache Arrow and DataFusion out of this crate's dependencies.
//!
//! ## Errors, rejects and warnings
//!
//! Everything fallible returns the one [`Error`] type: a [`Reject`] under the `fail` policy
//! (file, line, field, raw value, reason), a [`ConfigError`] for settings, segment maps,
//! rule sets and saved models that cannot work (found before any data is classified, or
//! when a model is loaded), [`Error::Malformed`] for a file whose layout cannot be read (a
//! column named twice, a quote open at the end), [`Error::Io`], [`Error::Locked`],
//! [`Error::Overflow`] naming the customer whose figure overflowed or, for a total over
//! customers, the figure and column (`revenue_total of metal`, [`error::Subject`]),
//! [`Error::EmptyPopulation`], and [`Error::Classifier`] for an application's own
//! classifier that fails, naming its kind and keeping the cause
//! ([`Error::classifier_with_source`]). Legal settings never overflow: figures defined
//! exactly (hysteresis positions, Pareto and composite comparisons, means, shares) are
//! worked in integers wide enough for them. What each kind of bad input gives, with an
//! example of each, is the [`hostile_input`] guide. Legal input that makes a tier
//! meaningless gives warnings instead ([`report::warnings`],
//! [warnings](crate::definitions#warnings)), each with a stable code:
//!
//! | code | when |
//! |---|---|
//! | `too_few_buyers` | fewer than `10·k` buyers for `k` quantile bins |
//! | `empty_score` | a quantile score left empty, with the tie that emptied it |
//! | `empty_band` | a Pareto band left empty |
//! | `single_value` | a ranked metric with one distinct value among the buyers |
//! | `missing_data` | a missing-data policy touched more than 20 % of the population |
//! | `segment_map_coverage` | the RFM segment map leaves score cells to its fallback, or has rules that can never fire |
//! | `rejected_rows` | rows were rejected under `skip` ([`report::rejected_rows`]): how many of how many, and where they went |
//! | `segment_map_bins` | (`tier`) the default segment map does not fit `--bins` |
//! | `model_after_data` | (`tier`) a saved model applied to data dated before its own |
//!
//! ## Classifiers
//!
//! Each classifier is *settings → [`fit`](classify::Classifier::fit) → model →
//! [`classify`](classify::Model::classify_into)*. Models keep only what classifying
//! needs: the `k − 1` cut points of each quantile metric (chosen by selection, not a
//! full sort), one threshold per Pareto band boundary. Customers without purchases are
//! [`classify::Label::Unscored`] with a reason, never given a made-up score.
//!
//! | classifier | settings | the rule ([`definitions`]) | the model keeps |
//! |---|---|---|---|
//! | quantile score | [`classify::quantile::CutPoints`] | [quantile scores](crate::definitions#quantile-scores): tie-aware `1 + floor(k·L/n)`, or SQL `NTILE(k)` with the id tiebreak | `t_2..t_k` at positions `m_s` |
//! | RFM | [`classify::rfm::RfmParams`] | [quantile scores](crate::definitions#quantile-scores) on recency (fewer days better), frequency, monetary; [segment](crate::definitions#named-rfm-segments) by the first matching rule of a map | three sets of cut points, the map |
//! | Pareto | [`classify::pareto::ParetoParams`] | [bands](crate::definitions#pareto-tiers-and-abc): first band with `p < c_b·n` (count) or `S < c_b·T` (value, positives only) | one threshold per boundary ([saved models](crate::definitions#saved-models)) |
//! | grade, levels | [`classify::grade::GradeParams`] | [grading](crate::definitions#four-dimension-grading-and-levels): per dimension high/mid/low/none by terciles, thresholds, sign or a label map; weighted points against cut points, or a rule table | tercile cut points |
//! | composite value tiers | [`classify::composite::CompositeParams`] | [composite](crate::definitions#composite-value-tiers): weighted tie-aware percentiles `L/n`, an exact fraction, banded by customer share | each input's fit distribution and the band thresholds |
//! | lifecycle | [`classify::lifecycle::LifecycleParams`] | [stages](crate::definitions#lifecycle-stages): first match of non_customer, target, prospect, new, active, dormant, lost | the day limits |
//! | missing data | [`classify::missing::MissingPolicy`] | [missing data](crate::definitions#missing-data): exclude, fill, lower median, mean (4 dp), proxy | the fill value |
//! | final tier | [`rules::RuleSet`] | [final tier](crate::definitions#rule-sets-and-the-final-tier): first matching tier rule, then every cap and floor in order, then tags | the rule set |
//!
//! *Equal-count and fitted models:* on the fit population, [`Pipeline::run`] labels by
//! SQL `NTILE(k) OVER (ORDER BY x, customer_id)` exactly. A saved model cannot see ids, so
//! it scores a customer whose value ties across a bucket boundary into the lower bucket;
//! with distinct values both agree exactly. Tie-aware scores (the default) agree always.
//!
//! ## Pipeline and rule sets
//!
//! A [`PipelineBuilder`] takes classifiers (columns in the order added), then rule sets
//! ([`PipelineBuilder::rules`]), each checked on `build` against the columns before it
//! (their labels and order) and the customers file's attributes
//! ([`PipelineBuilder::attributes`]). A rule set writes its column (`tier` by default),
//! and the pipeline adds a `tags` column after the rule sets. Everything — models and
//! rule sets — saves as one JSON document ([`FittedPipeline::to_json`]) that is
//! validated when loaded.
//!
//! ## Your own classifier
//!
//! The built-in classifiers are not special: each is a pair of plain serde types,
//! settings implementing [`classify::Classifier`] and a fitted model implementing
//! [`classify::Model`], and an application's own pair goes through the same door.
//! Everything the pipeline does with a classifier it learns from these traits — its
//! [`KIND`](classify::Classifier::KIND) (the tag in `model.json`), its
//! [`columns`](classify::Classifier::columns) and the labels each can take (what rule
//! sets are checked against, and the order migrations use), what it
//! [`reads`](classify::Classifier::reads) (a metric nobody reads is not computed),
//! its [`explanations`](classify::Model::explain), and optionally its
//! [`warnings`](classify::Model::warnings) and
//! [`hysteresis targets`](classify::Model::hysteresis_targets). A saved pipeline
//! loads back through a [`Registry`] that knows the kind; a model of a kind it does
//! not know is refused with an error naming the kind. Rule logic is open the same way:
//! [`rules::TierRules`] is what a TOML [`RuleSet`] implements, and an application's
//! Rust can decide a tier instead, with the same build-time checks.
//!
//! ```
//! use customer_tiering::classify::{pareto::ParetoParams, Classifier, Column, ColumnLabels};
//! use customer_tiering::classify::{Explanation, Label, Model, Reads, Unscored};
//! use customer_tiering::{Error, FittedPipeline, Metric, PipelineBuilder, Population, Profile};
//! use customer_tiering::{Registry, RuleSet};
//! use serde::{Deserialize, Serialize};
//!
//! /// Churn risk: a customer whose last purchase is older than most buyers' is at risk.
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
//! struct ChurnRisk {
//!     /// The share of buyers (in percent) more recent than the cut.
//!     percent: u32,
//! }
//!
//! /// The fitted model keeps the cut in days, fitted on the population's recency.
//! #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
//! struct ChurnModel {
//!     params: ChurnRisk,
//!     cut_days: i64,
//!     fit_size: usize,
//! }
//!
//! impl Classifier for ChurnRisk {
//!     type Model = ChurnModel;
//!     const KIND: &'static str = "churn_risk";
//!
//!     fn columns(&self) -> Vec<Column> {
//!         let labels = vec!["safe".into(), "at_risk".into()]; // best first
//!         vec![Column::new("churn", ColumnLabels::ordered(labels))]
//!     }
//!     fn reads(&self) -> Reads {
//!         Reads::metrics([Metric::RecencyDays])
//!     }
//!     fn validate(&self) -> Result<(), customer_tiering::ConfigError> {
//!         if (1..100).contains(&self.percent) {
//!             return Ok(());
//!         }
//!         let reason = format!("percent must be in 1..100, got {}", self.percent);
//!         Err(customer_tiering::ConfigError::Settings { kind: Self::KIND, column: "churn".into(), reason })
//!     }
//!     fn fit(&self, population: &Population) -> Result<ChurnModel, Error> {
//!         let mut days: Vec<i64> = population.buyers().filter_map(|p| p.recency_days).collect();
//!         if days.is_empty() {
//!             return Err(Error::classifier(Self::KIND, "no buyer to fit on"));
//!         }
//!         days.sort_unstable();
//!         let at = (days.len() - 1) * self.percent as usize / 100;
//!         Ok(ChurnModel { params: self.clone(), cut_days: days[at], fit_size: days.len() })
//!     }
//! }
//!
//! impl Model for ChurnModel {
//!     type Params = ChurnRisk;
//!     fn params(&self) -> &ChurnRisk {
//!         &self.params
//!     }
//!     fn fit_size(&self) -> usize {
//!         self.fit_size
//!     }
//!     fn classify_into(&self, profile: &Profile, out: &mut Vec<Label>) {
//!         out.push(match profile.recency_days {
//!             Some(days) if days > self.cut_days => Label::Name("at_risk".into()),
//!             Some(_) => Label::Name("safe".into()),
//!             None => Label::Unscored(Unscored::NoPurchases),
//!         });
//!     }
//!     fn explain(&self, profile: &Profile) -> Vec<Explanation> {
//!         let mut label = Vec::new();
//!         self.classify_into(profile, &mut label);
//!         let Some(days) = profile.recency_days else {
//!             return vec![Explanation::unscored("churn", Unscored::NoPurchases)];
//!         };
//!         let why = format!("last purchase {days} days ago, against the cut of {} days", self.cut_days);
//!         vec![Explanation::text("churn", label.remove(0), why)]
//!     }
//! }
//!
//! # use customer_tiering::{CustomerId, PopulationBuilder, Transaction};
//! # use jiff::civil::date;
//! # let mut orders = PopulationBuilder::new(date(2026, 3, 31));
//! # for i in 1..=100i64 {
//! #     let id = CustomerId::new(&format!("C{i:03}")).unwrap();
//! #     orders.add(Transaction::new(id, date(2026, 3, 31) - jiff::Span::new().days(i), i.into()))?;
//! # }
//! # let population = orders.finish()?;
//! // population: C001 … C100; C0i last bought i days before 2026-03-31 and spent i.
//! let keep = RuleSet::from_toml_str("keep.toml", r#"
//!     name = "keep"
//!     tiers = ["call", "mail", "none"]
//!     default = "none"
//!     [[rules]]
//!     when = 'churn == "at_risk" and metal != "lead"'
//!     tier = "call"
//!     [[rules]]
//!     when = 'churn == "at_risk"'
//!     tier = "mail"
//! "#)?;
//! let pipeline = PipelineBuilder::new()
//!     .classifier(ParetoParams::metals())
//!     .classifier(ChurnRisk { percent: 80 })
//!     .rules(keep)
//!     .build()?; // the rule set's `churn` and its labels are checked here
//! let (fitted, tiering) = pipeline.run(&population)?;
//! assert_eq!(tiering.columns(), ["metal", "churn", "tier", "tags"]);
//! assert_eq!(tiering.label("C100", "tier").unwrap().to_string(), "call"); // platinum, lapsing
//! assert_eq!(tiering.counts()["churn"]["at_risk"], 20);
//! let why = fitted.explain(population.get("C090").unwrap());
//! assert_eq!(why[1].to_string(), "churn = at_risk: last purchase 90 days ago, against the cut of 80 days");
//!
//! // Saved with the rest, loaded back through a registry that knows the kind.
//! let json = fitted.to_json()?;
//! let registry = Registry::builtin().register::<ChurnRisk>()?;
//! assert_eq!(FittedPipeline::from_json_with("model.json", &json, &registry)?, fitted);
//! let err = FittedPipeline::from_json("model.json", &json).unwrap_err(); // built-ins only
//! assert!(err.to_string().contains(r#"unknown classifier kind "churn_risk""#), "{err}");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! Complete programs — a decision tree trained on hand-graded accounts, k-means RFM
//! clusters, a SQLite source — are in the `examples/apps` workspace member.
//!
//! ## Big files
//!
//! [`source::ingest_csv`] reads a transactions file on every core (feature `parallel`,
//! on by default: rayon) into an [`aggregate::Aggregator`]: the file is cut at line
//! ends into pieces parsed at the same time, each row is sent to the range of ids it
//! belongs to, and each range keeps flat, fixed-size accumulators — exact integer sums
//! of money, counts, dates — so that ten million rows become a million profiles in
//! seconds, in id order, with the same counts, rejects and profiles as the
//! record-by-record [`source::ingest`]. The number of threads is rayon's
//! (`RAYON_NUM_THREADS`, or an application's own pool); it never changes a byte of
//! the result.
//!
//! ```
//! use customer_tiering::aggregate::Aggregator;
//! use customer_tiering::source::{ingest_csv, ColumnMapping, CsvTransactions, OnInvalid};
//! use jiff::civil::date;
//!
//! let path = std::env::temp_dir().join(format!("big-{}.csv", std::process::id()));
//! let mut data = String::from("customer_id,date,amount\n");
//! for i in 0..10_000 {
//!     data += &format!("C{:04},2026-03-{:02},{}.50\n", i % 1000, 1 + i % 28, i % 90);
//! }
//! std::fs::write(&path, data)?;
//! let source = CsvTransactions::from_path(&path, &ColumnMapping::default())?;
//! let mut aggregator = Aggregator::new(date(2026, 3, 31));
//! let read = ingest_csv(source, &mut aggregator, OnInvalid::Fail, |_| {})?;
//! let population = aggregator.finish()?;
//! assert_eq!((read.read, population.len()), (10_000, 1000));
//! assert_eq!(population.profiles()[0].customer_id.as_str(), "C0000"); // in id order
//! # std::fs::remove_file(&path)?;
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
//!
//! ## Refreshing tiers
//!
//! A [`FittedPipeline`] loaded from JSON classifies later data without refitting
//! ([`FittedPipeline::classify`], [`FittedPipeline::classify_all`]).
//! [`source::ingest_periods`] reads one history at two dates in one pass;
//! [`migration::migrate`] matches two periods by customer into matrices with the
//! revenue that moved; [`hysteresis::Hysteresis`] damps flip-flopping across cut
//! points; [`incremental::TieringState`] takes new orders one at a time and re-labels
//! their customers at once, equal to a batch rebuild with the same model. The rules are
//! in [periodic update](crate::definitions#periodic-update).
//!
//! ## Determinism
//!
//! The same inputs give byte-identical outputs whatever the input order and the number
//! of threads: profiles are kept sorted by `customer_id` (byte order), cut points are
//! order statistics, work is cut into pieces whose size never depends on the thread
//! count, and every output is written in id order.
//!
//! ## Money
//!
//! Amounts are parsed by the amount grammar of [inputs](crate::definitions#inputs) straight
//! into `rust_decimal` with the scale as written; sums are checked (an overflow is
//! [`Error::Overflow`] naming the customer, or the column of a total) and keep the largest
//! scale; output never shows a negative zero or an exponent. The batch reader sums money as
//! integers — each customer's mantissas at its largest scale, in `i64`, moved to an exact
//! 256-bit sum in the rare case one leaves it — and converts each total to a decimal once.

#![deny(unsafe_code)]
#![deny(missing_docs)]
#![warn(missing_debug_implementations, unreachable_pub)]
#![deny(clippy::print_stdout, clippy::print_stderr)]

pub mod aggregate;
pub mod attributes;
#[cfg(feature = "charts")]
pub mod charts;
pub mod classify;
mod csv_lines;
pub mod dates;
pub mod definitions;
pub mod error;
pub mod format;
pub mod hostile_input;
pub mod hysteresis;
pub mod incremental;
pub mod metrics;
pub mod migration;
pub mod money;
pub mod names;
pub mod output;
mod parallel;
pub mod pipeline;
pub mod population;
mod prefetch;
pub mod presets;
pub mod profile;
mod reading;
mod registry;
pub mod report;
pub mod rules;
pub mod source;
mod wide;

pub use error::{ConfigError, Error, Location, Reject};
/// The date crate whose types the API takes (`jiff::civil::Date`): use this one, and
/// no version mismatch can arise.
pub use jiff;
pub use metrics::PopulationBuilder;
pub use pipeline::{FittedPipeline, Pipeline, PipelineBuilder, Tiering};
pub use profile::{CustomerId, Metric, Population, Profile, Transaction};
pub use registry::Registry;
pub use rules::{Facts, RuleOutcome, RuleSet, Schema};
/// The decimal crate of every amount (`rust_decimal::Decimal`), re-exported for the
/// same reason.
pub use rust_decimal;
/// The JSON crate of [`classify::Warning`]'s figures.
pub use serde_json;
/// The string type of labels, tiers and ids (`smol_str::SmolStr`).
pub use smol_str;

/// Compiles the README's code blocks as doctests, so that they cannot rot.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
struct ReadmeDoctests;
