import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset
from nnsim.data.text import char_windows, decode, make_hello, make_zen, printable, zen_text


def test_hello_exact_onehot_arrays():
    d = make_hello()
    assert d.vocab == ["h", "e", "l", "o"] and d.class_names == ["h", "e", "l", "o"]
    expected = np.eye(4, dtype=np.float32)[[0, 1, 2, 2]][None]
    np.testing.assert_array_equal(d.x_train, expected)
    np.testing.assert_array_equal(d.labels_train, [[1, 2, 2, 3]])
    assert d.labels_train.dtype == np.int64 and d.x_train.dtype == np.float32


def test_hello_train_and_test_are_the_same_sample():
    d = make_hello()
    np.testing.assert_array_equal(d.x_train, d.x_test)
    np.testing.assert_array_equal(d.labels_train, d.labels_test)
    assert d.n_train == d.n_test == 1


def test_hello_ids_encoding():
    d = load_dataset({"name": "hello", "params": {"encoding": "ids"}})
    assert d.input_shape == (4,) and d.layout == "tokens"
    np.testing.assert_array_equal(d.x_train, [[0, 1, 2, 2]])


def test_hello_decodes_to_hell_and_ello():
    d = make_hello(encoding="ids")
    assert decode(d.x_train[0], d.vocab) == "hell" and decode(d.labels_train[0], d.vocab) == "ello"


def test_zen_text_is_the_zen_of_python_and_prints_nothing(capsys):
    text = zen_text()
    assert text.startswith("The Zen of Python, by Tim Peters") and "Beautiful is better than ugly." in text
    assert capsys.readouterr().out == ""


def test_zen_vocab_is_the_sorted_character_set():
    d = make_zen()
    assert d.vocab == sorted(set(zen_text())) and d.n_classes == len(d.vocab)


def test_zen_windows_shapes_and_dtypes():
    d = make_zen(seq_len=25, step=3)
    n = len(range(0, len(zen_text()) - 25, 3))
    assert d.n_train + d.n_test == n and d.input_shape == (25, len(d.vocab))
    assert d.labels_train.shape == (d.n_train, 25) and d.labels_train.dtype == np.int64
    assert set(np.unique(d.x_train)) == {0.0, 1.0} and np.all(d.x_train.sum(axis=2) == 1)


def test_zen_default_test_ratio_is_ten_percent():
    d = make_zen()
    assert abs(d.n_test - 0.1 * (d.n_train + d.n_test)) <= 1


def test_zen_ids_decode_back_to_the_text():
    d = make_zen(encoding="ids", seq_len=30, step=5)
    text = zen_text()
    for x, y in zip(d.x_train[:20], d.labels_train[:20]):
        window = decode(x, d.vocab)
        start = text.find(window)
        assert start >= 0 and decode(y, d.vocab) == text[start + 1:start + 31]


def test_char_windows_targets_are_shifted_by_one():
    x, y, vocab = char_windows("abcabcabd", 3, 2)
    assert vocab == ["a", "b", "c", "d"]
    np.testing.assert_array_equal(x, [[0, 1, 2], [2, 0, 1], [1, 2, 0]])
    np.testing.assert_array_equal(y[:, :-1], x[:, 1:])
    np.testing.assert_array_equal(y[-1], [2, 0, 1])


def test_zen_is_deterministic_per_seed():
    np.testing.assert_array_equal(make_zen(seed=5).labels_test, make_zen(seed=5).labels_test)
    assert not np.array_equal(make_zen(seed=5).labels_test, make_zen(seed=6).labels_test)


def test_class_names_make_whitespace_visible():
    assert printable(" ") == "␣" and printable("\n") == "\\n" and printable("a") == "a"


def test_zen_summary_reports_sequence_and_vocab():
    s = make_zen().summary()
    assert s["layout"] == "sequence" and s["sequence_length"] == 25 and s["vocab_size"] == len(make_zen().vocab)
    assert s["label_steps"] == 25 and s["output_units"] == 25 * s["vocab_size"]
    assert sum(s["class_balance"]["train"].values()) == s["n_train"] * 25


def test_text_file_loads_like_zen(tmp_path):
    p = tmp_path / "poem.txt"
    p.write_text("héllo wörld, hello again\r\n" * 10, encoding="utf-8")
    d = load_dataset({"name": "text", "params": {"path": str(p), "seq_len": 10}})
    assert "é" in d.vocab and "\r" not in d.vocab and d.input_shape == (10, len(d.vocab))


def test_text_file_without_path():
    with pytest.raises(DatasetError, match="no file path"):
        load_dataset({"name": "text"})


def test_text_file_missing(tmp_path):
    with pytest.raises(DatasetError, match="does not exist"):
        load_dataset({"name": "text", "params": {"path": str(tmp_path / "nope.txt")}})


def test_text_file_empty(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_text("  \n", encoding="utf-8")
    with pytest.raises(DatasetError, match="empty.txt is empty"):
        load_dataset({"name": "text", "params": {"path": str(p)}})


def test_text_file_too_short(tmp_path):
    p = tmp_path / "short.txt"
    p.write_text("tiny text", encoding="utf-8")
    with pytest.raises(DatasetError, match="has 9 characters: it needs at least 27"):
        load_dataset({"name": "text", "params": {"path": str(p)}})


def test_text_file_not_utf8(tmp_path):
    p = tmp_path / "latin.txt"
    p.write_bytes("café crème ".encode("latin-1") * 20)
    with pytest.raises(DatasetError, match="latin.txt is not UTF-8 text \\(byte 3"):
        load_dataset({"name": "text", "params": {"path": str(p)}})


def test_text_file_too_large(tmp_path):
    p = tmp_path / "big.txt"
    with open(p, "wb") as f:
        f.truncate(10 * 2**20 + 1)
    with pytest.raises(DatasetError, match="big.txt is larger than 10 MB"):
        load_dataset({"name": "text", "params": {"path": str(p)}})


def test_text_file_with_too_many_characters(tmp_path):
    p = tmp_path / "cjk.txt"
    p.write_text("".join(chr(0x4E00 + i) for i in range(300)), encoding="utf-8")
    with pytest.raises(DatasetError, match="uses 300 different characters, more than 200"):
        load_dataset({"name": "text", "params": {"path": str(p)}})


def test_text_file_that_is_a_folder(tmp_path):
    with pytest.raises(DatasetError, match="is not a file"):
        load_dataset({"name": "text", "params": {"path": str(tmp_path)}})
