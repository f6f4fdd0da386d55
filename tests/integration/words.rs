//! Warnings and `--explain` in the reader's language (see `definitions`, CLI files and
//! exit codes): `--lang` changes the messages and the explanations people read, never the
//! keys — a warning's code on stderr, the column names of an explanation, and
//! `summary.json`, whose warnings keep their English messages.

use std::path::Path;

use crate::support::{assert_ok, everything_on_the_quickstart, run, temp_dir};

/// What `tier` says about C0003 in `lang`, with known customers, a rule set and `more`
/// arguments: the explanation lines, the warning lines, and the run's `summary.json`.
fn explain(lang: &str, dir: &Path, more: &[&str]) -> (Vec<String>, Vec<String>, serde_json::Value) {
    let mut args = everything_on_the_quickstart(dir.to_str().expect("UTF-8 path"));
    args.extend(["--explain", "C0003", "--quiet", "--lang", lang]);
    args.extend_from_slice(more);
    let out = run("tier", &args);
    assert_ok(&out);
    let stdout = String::from_utf8(out.stdout).expect("UTF-8");
    let stderr = String::from_utf8(out.stderr).expect("UTF-8");
    let mut lines = stdout.lines();
    assert_eq!(lines.next(), Some("C0003:"), "{stdout}");
    let explained = lines
        .take_while(|l| l.starts_with("  "))
        .map(|l| l[2..].to_string())
        .collect();
    let warnings = stderr
        .lines()
        .filter(|l| l.starts_with("warning: "))
        .map(str::to_string)
        .collect();
    let summary = std::fs::read_to_string(dir.join("summary.json")).expect("summary.json");
    (
        explained,
        warnings,
        serde_json::from_str(&summary).expect("JSON"),
    )
}

fn has_chinese(text: &str) -> bool {
    text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// `warning: CODE: message` split into the code and the message.
fn code_and_message(line: &str) -> (&str, &str) {
    let rest = line.strip_prefix("warning: ").expect("warning line");
    rest.split_once(": ").expect("CODE: message")
}

#[test]
fn explain_and_warnings_in_traditional_chinese_keep_their_keys() {
    let (en_dir, zh_dir) = (temp_dir("words-en"), temp_dir("words-zh-hant"));
    let (en_lines, en_warnings, en_summary) = explain("en", &en_dir, &[]);
    let (zh_lines, zh_warnings, zh_summary) = explain("zh-Hant", &zh_dir, &[]);

    // The same columns, in the same order, each explained in Chinese.
    assert_eq!(en_lines.len(), zh_lines.len(), "{zh_lines:#?}");
    let columns = [
        "r",
        "f",
        "m",
        "rfm_segment",
        "metal",
        "grade",
        "lifecycle",
        "tier",
    ];
    let column = |line: &String| line.split(' ').next().unwrap_or_default().to_string();
    let shown: Vec<String> = zh_lines.iter().map(column).collect();
    assert_eq!(shown, columns.map(String::from), "{zh_lines:#?}");
    assert_eq!(en_lines.iter().map(column).collect::<Vec<_>>(), shown);
    for (en, zh) in en_lines.iter().zip(&zh_lines) {
        assert_ne!(en, zh);
        assert!(has_chinese(zh), "{zh}");
    }
    assert!(
        zh_lines[2].starts_with("m = 1：消費金額 19.20 優於"),
        "{}",
        zh_lines[2]
    );
    assert!(
        zh_lines[3].starts_with("rfm_segment = 潛在忠誠客戶："),
        "{}",
        zh_lines[3]
    );
    assert!(
        zh_lines[4].starts_with("metal = 鉛顧客：消費金額 19.20 低於鐵顧客的門檻 "),
        "{}",
        zh_lines[4]
    );
    assert!(
        zh_lines[6].starts_with("lifecycle = 新客戶：首次購買在 15 天前"),
        "{}",
        zh_lines[6]
    );
    // The rule's name and condition as written in the rule file, its words in Chinese.
    assert!(
        zh_lines[7]
            .contains(r#"規則 4（「bad credit」：credit_rating == "D"；credit_rating = D）"#),
        "{}",
        zh_lines[7]
    );

    // The same warnings, codes unchanged, messages in Chinese.
    assert!(!zh_warnings.is_empty());
    assert_eq!(en_warnings.len(), zh_warnings.len(), "{zh_warnings:#?}");
    let codes: Vec<&str> = zh_warnings.iter().map(|l| code_and_message(l).0).collect();
    let en_codes: Vec<&str> = en_warnings.iter().map(|l| code_and_message(l).0).collect();
    assert_eq!(codes, en_codes);
    assert_eq!(codes, ["empty_score"]);
    for line in &zh_warnings {
        let (code, message) = code_and_message(line);
        assert!(
            code.bytes().all(|b| b.is_ascii_lowercase() || b == b'_'),
            "{line}"
        );
        assert!(has_chinese(message), "{line}");
    }
    assert!(
        zh_warnings.contains(
            &"warning: empty_score: f：分數 3 沒有客戶：62 位客戶的數值同為 2".to_string()
        ),
        "{zh_warnings:#?}"
    );

    // summary.json is a machine output: the same warnings, English messages, in either
    // language.
    assert_eq!(zh_summary["warnings"], en_summary["warnings"]);
    let warnings = zh_summary["warnings"].as_array().expect("warnings");
    assert_eq!(warnings.len(), en_warnings.len());
    for (w, line) in warnings.iter().zip(&en_warnings) {
        let message = w["message"].as_str().expect("message");
        assert!(!has_chinese(message), "{message}");
        let code = w["code"].as_str().expect("code");
        assert_eq!(line, &format!("warning: {code}: {message}"));
    }
    let _ = std::fs::remove_dir_all(en_dir);
    let _ = std::fs::remove_dir_all(zh_dir);
}

/// With `--bins 4` the default segment map does not apply: `tier`'s own warning, and
/// `rfm_segment` unscored.
#[test]
fn explain_and_warnings_in_simplified_chinese() {
    let dir = temp_dir("words-zh-hans");
    let (lines, warnings, _) = explain("zh-Hans", &dir, &["--bins", "4"]);
    assert!(lines[3].starts_with("rfm_segment 未评分："), "{}", lines[3]);
    assert!(
        lines[4].starts_with("metal = 铅顾客：消费金额 19.20 低于铁顾客的门槛 "),
        "{}",
        lines[4]
    );
    assert!(
        lines[7].contains(r#"规则 4（“bad credit”：credit_rating == "D"；credit_rating = D）"#),
        "{}",
        lines[7]
    );
    assert!(
        warnings.contains(&"warning: segment_map_bins: 默认分群映射表是为 k = 5 设计的；k = 4 时 rfm_segment 留空".to_string()),
        "{warnings:#?}"
    );
    let _ = std::fs::remove_dir_all(dir);
}
