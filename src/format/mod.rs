//! Declared input formats (SPEC §18): how an export writes its fields — delimiter,
//! quote, decimal and thousands separators, date pattern, text encoding, currency
//! symbol — so that it is read exactly as declared and never guessed.
