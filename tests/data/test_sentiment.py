import numpy as np
import pytest

from nnsim.core.errors import DatasetError
from nnsim.data import load_dataset
from nnsim.data.sentiment import NEGATIONS, TEMPLATES, VOCAB, make_sentiment, sentence
from nnsim.data.text import decode


@pytest.fixture(scope="module")
def sentiment():
    return make_sentiment()


def test_sentiment_ids_shapes_and_dtype(sentiment):
    assert sentiment.input_shape == (12,) and sentiment.x_train.dtype == np.float32
    assert sentiment.n_train + sentiment.n_test == 2000 and sentiment.layout == "tokens"
    ids = sentiment.x_train
    assert ids.min() == 0 and ids.max() < len(VOCAB) and np.all(ids == np.round(ids))


def test_sentiment_vocab_starts_with_padding(sentiment):
    assert sentiment.vocab[0] == "<pad>" and sentiment.vocab == VOCAB
    assert len(set(VOCAB)) == len(VOCAB) and all(w == w.lower() for w in VOCAB)


def test_sentiment_padding_is_at_the_end(sentiment):
    ids = sentiment.x_train.astype(np.int64)
    for row in ids:
        length = np.count_nonzero(row)
        assert length >= 3 and np.all(row[:length] > 0) and np.all(row[length:] == 0)


def test_sentiment_classes_are_balanced(sentiment):
    assert sentiment.class_names == ["negative", "positive"]
    counts = np.bincount(np.concatenate([sentiment.labels_train, sentiment.labels_test]))
    assert counts.tolist() == [1000, 1000]


def test_sentiment_about_half_the_sentences_are_negated(sentiment):
    neg_ids = [VOCAB.index(w) for w in NEGATIONS]
    negated = np.isin(sentiment.x_train.astype(np.int64), neg_ids).any(axis=1)
    assert 0.4 < negated.mean() < 0.6


@pytest.mark.parametrize("template", list(TEMPLATES))
def test_sentiment_negation_flips_the_label(template):
    for polarity in (0, 1):
        for seed in range(10):
            plain, plain_label = sentence(template, polarity, False, np.random.default_rng(seed))
            negated, neg_label = sentence(template, polarity, True, np.random.default_rng(seed))
            assert plain_label == polarity and neg_label == 1 - polarity
            assert any(w in NEGATIONS for w in negated) and not any(w in NEGATIONS for w in plain)


def test_sentiment_negated_sentence_keeps_the_governed_word():
    plain, _ = sentence("noun-was", 1, False, np.random.default_rng(0))
    negated, _ = sentence("noun-was", 1, True, np.random.default_rng(0))
    assert plain[-1] == negated[-1] and plain[:2] == negated[:2]


def test_sentiment_unknown_template():
    with pytest.raises(DatasetError, match="Unknown sentiment template"):
        sentence("sarcasm", 1, False, np.random.default_rng(0))


def test_sentiment_onehot_encoding_matches_ids():
    ids = make_sentiment(n_samples=200)
    onehot = load_dataset({"name": "sentiment", "params": {"n_samples": 200, "encoding": "onehot"}})
    assert onehot.input_shape == (12, len(VOCAB))
    np.testing.assert_array_equal(onehot.x_train.argmax(axis=2), ids.x_train)


def test_sentiment_decodes_to_words(sentiment):
    text = decode(sentiment.x_train[0][sentiment.x_train[0] > 0], sentiment.vocab, sep=" ")
    assert text and "<pad>" not in text and all(w in VOCAB for w in text.split())


def test_sentiment_max_len_pads_further():
    d = make_sentiment(n_samples=100, max_len=20)
    assert d.input_shape == (20,) and np.all(d.x_train[:, 10:] == 0)


def test_sentiment_is_deterministic_per_seed():
    np.testing.assert_array_equal(make_sentiment(n_samples=100, seed=1).x_train,
                                  make_sentiment(n_samples=100, seed=1).x_train)
    assert not np.array_equal(make_sentiment(n_samples=100, seed=1).x_train,
                              make_sentiment(n_samples=100, seed=2).x_train)


def test_sentiment_words_alone_do_not_give_the_label(sentiment):
    # a positive adjective appears in negative sentences too, thanks to negation
    good = VOCAB.index("good")
    has_good = (sentiment.x_train == good).any(axis=1)
    assert set(sentiment.labels_train[has_good]) == {0, 1}
