//! Tokenizers: characters, bytes and the crate's byte-pair encoding, checked against
//! Hugging Face's `tokenizers` (a fixture made by `scripts/bpe-fixture.py`).

use aigc::data::bpe::{Bpe, pieces};
use aigc::data::corpus::ANIMALS;
use aigc::data::{Tokenization, Tokenizer};

fn fixture() -> serde_json::Value {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/bpe-hf.json");
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn fixture_text(f: &serde_json::Value) -> String {
    let lines = f["lines"].as_u64().unwrap() as usize;
    ANIMALS.split_inclusive('\n').take(lines).collect()
}

#[test]
fn the_crate_learns_the_merges_hugging_face_learns() {
    let f = fixture();
    let want: Vec<(String, String)> = f["merges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| (m[0].as_str().unwrap().into(), m[1].as_str().unwrap().into()))
        .collect();
    let bpe = Bpe::train(&fixture_text(&f), want.len());
    let got: Vec<(String, String)> = bpe
        .merges
        .iter()
        .map(|&(a, b)| (bpe.token(a), bpe.token(b)))
        .collect();
    assert_eq!(got.len(), want.len());
    for (k, (g, w)) in got.iter().zip(&want).enumerate() {
        assert_eq!(g, w, "merge {k} differs (the ones before agree)");
    }
    assert_eq!(bpe.len() as u64, f["vocab_size"].as_u64().unwrap());
}

#[test]
fn the_crate_encodes_as_hugging_face_encodes() {
    let f = fixture();
    let bpe = Bpe::train(&fixture_text(&f), f["merges"].as_array().unwrap().len());
    for (sample, want) in f["samples"]
        .as_array()
        .unwrap()
        .iter()
        .zip(f["encoded"].as_array().unwrap())
    {
        let sample = sample.as_str().unwrap();
        let got: Vec<String> = bpe
            .encode(sample)
            .unwrap()
            .iter()
            .map(|&i| bpe.token(i))
            .collect();
        let want: Vec<&str> = want
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t.as_str().unwrap())
            .collect();
        assert_eq!(got, want, "{sample:?}");
        assert_eq!(
            bpe.decode(&bpe.encode(sample).unwrap()),
            sample,
            "decoding gives the text back"
        );
    }
}

#[test]
fn pieces_keep_line_breaks_alone_and_spaces_at_word_starts() {
    assert_eq!(pieces("a b\n\nc"), vec!["a", " b", "\n", "\n", "c"]);
    assert_eq!(pieces("  x"), vec![" ", " x"]);
    assert_eq!(pieces(""), Vec::<&str>::new());
}

#[test]
fn each_tokenizer_gives_the_text_back_and_names_what_it_cannot_encode() {
    let text = "The cat sleeps.\n猫在睡觉。\n";
    for kind in [
        Tokenization::Chars,
        Tokenization::Bytes,
        Tokenization::Bpe { merges: 10 },
    ] {
        let t = Tokenizer::learn(kind, text);
        let ids = t.encode(text).unwrap();
        assert!(
            ids.iter().all(|&i| i < t.len()),
            "{kind:?}: ids below V = {}",
            t.len()
        );
        assert_eq!(t.decode(&ids), text, "{kind:?}");
        if kind != Tokenization::Bytes {
            let err = t.encode("狐").unwrap_err().to_string();
            assert!(err.contains("'狐'"), "{kind:?}: {err}");
        }
    }
    // Bytes know every text; three of them spell a Chinese character.
    let bytes = Tokenizer::learn(Tokenization::Bytes, "");
    assert_eq!(bytes.encode("狐").unwrap(), vec![0xe7, 0x8b, 0x90]);
    assert_eq!(
        bytes.decode(&[0xe7, 0x8b]),
        "\u{FFFD}",
        "half a character is not a character"
    );
    assert_eq!(bytes.token(0xe7), "<e7>");
}

#[test]
fn bpe_on_chinese_makes_frequent_pairs_one_token() {
    let text = "明月几时有\n明月照我还\n明月松间照\n";
    let bpe = Bpe::train(text, 1);
    assert_eq!(bpe.token(bpe.len() - 1), "明月");
    assert_eq!(bpe.encode("明月").unwrap(), vec![bpe.len() - 1]);
    // A text with no pair left to merge stops early.
    assert_eq!(Bpe::train("a\nb\n", 5).merges.len(), 0);
}
