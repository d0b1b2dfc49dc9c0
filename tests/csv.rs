//! The CSV loader: the bundled data parses, and every kind of bad file gets an error that
//! names the file, the line and (for cells) the column.

use aigc::AigcError;
use aigc::data::{Table, wine_quality};

fn parse(text: &str) -> Result<Table, AigcError> {
    Table::from_reader("bad.csv", text.as_bytes())
}

#[test]
fn bundled_wine_data_has_the_documented_shape() {
    let wine = wine_quality().unwrap();
    assert_eq!((wine.len(), wine.n_features()), (1599, 11));
    assert_eq!(wine.feature_names[0], "fixed acidity");
    assert_eq!(wine.feature_names[10], "alcohol");
    // First row of the file: 7.4, 0.7, …, 9.4 and quality 5.
    assert_eq!(wine.row(0)[0], 7.4);
    assert_eq!(wine.row(0)[10], 9.4);
    assert_eq!(wine.y[0], 5.0);
    let (lo, hi) = wine
        .y
        .iter()
        .fold((f64::MAX, f64::MIN), |(a, b), &y| (a.min(y), b.max(y)));
    assert_eq!((lo, hi), (3.0, 8.0));
}

#[test]
fn reading_from_a_path_matches_the_embedded_copy() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/winequality-red.csv");
    let from_file = Table::from_path(path)
        .unwrap()
        .split_target("quality")
        .unwrap();
    assert_eq!(from_file.x, wine_quality().unwrap().x);
}

#[test]
fn ragged_row_names_file_and_line() {
    let err = parse("a,b,y\n1,2,3\n4,5\n").unwrap_err();
    assert!(matches!(
        err,
        AigcError::RaggedRow {
            line: 3,
            expected: 3,
            found: 2,
            ..
        }
    ));
    assert_eq!(
        err.to_string(),
        "bad.csv:3: row has 2 cells but the header has 3 (a missing or extra comma?)"
    );
}

#[test]
fn non_numeric_cell_names_line_column_and_value() {
    let err = parse("a,b,y\n1,2,3\n4,n/a,6\n").unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad.csv:3:2: cell \"n/a\" in column \"b\" is not a number"
    );
}

#[test]
fn infinite_and_nan_cells_are_rejected_too() {
    assert!(matches!(
        parse("a,y\nNaN,1\n"),
        Err(AigcError::NotANumber { column: 1, .. })
    ));
    assert!(matches!(
        parse("a,y\n1,inf\n"),
        Err(AigcError::NotANumber { column: 2, .. })
    ));
}

#[test]
fn empty_file_and_header_only_file_are_errors() {
    for text in ["", "a,b,y\n"] {
        let err = parse(text).unwrap_err();
        assert!(matches!(err, AigcError::EmptyCsv { .. }), "{text:?}: {err}");
        assert!(err.to_string().starts_with("bad.csv: the file is empty"));
    }
}

#[test]
fn missing_target_column_lists_the_columns_that_exist() {
    let table = parse("a,b,y\n1,2,3\n").unwrap();
    let err = table.split_target("quality").unwrap_err();
    assert_eq!(
        err.to_string(),
        "bad.csv: no column named \"quality\"; the header has: a, b, y"
    );
}

#[test]
fn a_table_with_only_the_target_is_not_a_regression() {
    let err = parse("y\n1\n").unwrap().split_target("y").unwrap_err();
    assert!(err.to_string().contains("at least one feature"), "{err}");
}

#[test]
fn missing_file_is_an_io_error_naming_the_path() {
    let err = Table::from_path("no/such/file.csv").unwrap_err();
    assert!(err.to_string().starts_with("no/such/file.csv: "), "{err}");
}

#[test]
fn invalid_utf8_is_an_error_not_a_panic() {
    let err = Table::from_reader("bin.csv", &b"a,y\n1,\xff\xfe\n"[..]).unwrap_err();
    assert!(err.to_string().starts_with("bin.csv:"), "{err}");
}

#[test]
fn standardised_features_have_mean_zero_and_unit_variance() {
    let data = wine_quality().unwrap().standardized();
    let n = data.len() as f64;
    for j in 0..data.n_features() {
        let col: Vec<f64> = (0..data.len()).map(|i| data.row(i)[j]).collect();
        let mean = col.iter().sum::<f64>() / n;
        let var = col.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / n;
        assert!(
            mean.abs() < 1e-12 && (var - 1.0).abs() < 1e-12,
            "column {j}"
        );
    }
    assert_eq!(
        data.y,
        wine_quality().unwrap().y,
        "the target is not rescaled"
    );
}
