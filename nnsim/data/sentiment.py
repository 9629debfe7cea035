"""Generated short reviews for binary sentiment, where negation flips the meaning.

Every sentence comes from a template around one sentiment word (an adjective or a verb); a
negation ("not", "never", "isn't", "didn't", ...) placed right before it flips its polarity, so
the words alone do not give the label: a model has to read them in order (a convolution over
neighbouring words or a recurrent layer). About half of the sentences are negated.
Tokens are lowercase words; id 0 is "<pad>" and sentences are padded at the end.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

from nnsim.core.errors import DatasetError
from nnsim.core.params import ParamSpec
from nnsim.data.batching import split_indices
from nnsim.data.dataset import Dataset, classification
from nnsim.data.text import encode_inputs

PAD = "<pad>"
POSITIVE_ADJ = ["good", "great", "wonderful", "excellent", "brilliant", "fun", "enjoyable", "beautiful",
                "amazing", "charming", "delightful", "superb"]
NEGATIVE_ADJ = ["bad", "awful", "terrible", "boring", "dull", "horrible", "poor", "weak", "annoying",
                "dreadful", "mediocre", "tedious"]
POSITIVE_VERBS = [("loved", "love"), ("liked", "like"), ("enjoyed", "enjoy"), ("adored", "adore"),
                  ("admired", "admire")]
NEGATIVE_VERBS = [("hated", "hate"), ("disliked", "dislike"), ("loathed", "loathe"),
                  ("despised", "despise"), ("regretted", "regret")]
NOUNS = ["movie", "film", "acting", "plot", "story", "ending", "music", "cast", "script", "show",
         "dialogue", "soundtrack"]
INTENSIFIERS = ["really", "very", "truly", "quite", "so", "extremely", "totally"]
OPENERS = ["honestly", "overall", "well"]
NEGATIONS = ["not", "never", "isn't", "wasn't", "aren't", "weren't", "didn't"]
FUNCTION_WORDS = ["the", "a", "an", "was", "is", "were", "are", "i", "did", "it", "and", "what"]
ADJECTIVES = (NEGATIVE_ADJ, POSITIVE_ADJ)  # indexed by polarity
VERBS = (NEGATIVE_VERBS, POSITIVE_VERBS)

VOCAB: list[str] = [PAD] + sorted(set(
    POSITIVE_ADJ + NEGATIVE_ADJ + [w for pair in POSITIVE_VERBS + NEGATIVE_VERBS for w in pair] + NOUNS
    + INTENSIFIERS + OPENERS + NEGATIONS + FUNCTION_WORDS))
MAX_SENTENCE = 10  # longest template output, in words

SENTIMENT_PARAMS: tuple[ParamSpec, ...] = (
    ParamSpec("n_samples", "int", 2000, "Number of sentences, training and test together.", 100, 20000),
    ParamSpec("max_len", "int", 12, "Words per input (time steps T): shorter sentences are padded at the end.",
              MAX_SENTENCE, 64),
    ParamSpec("encoding", "choice", "ids",
              "ids: each step is one word number (0 = padding), for an Embedding layer; onehot: each step "
              "is a vector of V zeros and a one.", choices=("ids", "onehot")),
    ParamSpec("test_ratio", "float", 0.2, "Fraction of the sentences kept aside for testing.", 0.1, 0.9),
    ParamSpec("seed", "int", 0, "Random seed: the same seed always gives the same sentences.", 0, 2**31 - 1),
)


class _Draw:
    """All random choices of one sentence, drawn up front so a negated and a plain sentence
    built from the same generator state differ only in the negation."""

    def __init__(self, rng: np.random.Generator, polarity: int) -> None:
        pick = lambda words: words[int(rng.integers(len(words)))]  # noqa: E731
        self.adj = pick(ADJECTIVES[polarity])
        self.adj2 = pick(ADJECTIVES[polarity])
        self.verb = pick(VERBS[polarity])
        self.noun = pick(NOUNS)
        self.noun2 = pick([n for n in NOUNS if n != self.noun])
        self.intensifier = [pick(INTENSIFIERS)] if rng.random() < 0.4 else []
        self.opener = [pick(OPENERS)] if rng.random() < 0.2 else []
        self.variant = int(rng.integers(3))
        self.past = bool(rng.random() < 0.7)


def _article(word: str) -> str:
    return "an" if word[0] in "aeiou" else "a"


def _copula(d: _Draw, negated: bool, plural: bool = False) -> list[str]:
    be = ("were" if plural else "was") if d.past else ("are" if plural else "is")
    if not negated:
        return [be]
    if d.variant == 0:
        return [be, "not"]
    if d.variant == 1:
        return [be, "never"]
    contracted = {"was": "wasn't", "is": "isn't", "were": "weren't", "are": "aren't"}[be]
    return [contracted]


def _t_noun_was(d: _Draw, negated: bool) -> list[str]:      # the plot was (not) really good
    return ["the", d.noun] + _copula(d, negated) + d.intensifier + [d.adj]


def _t_two_nouns(d: _Draw, negated: bool) -> list[str]:     # the plot and the acting were (not) good
    return ["the", d.noun, "and", "the", d.noun2] + _copula(d, negated, plural=True) + [d.adj]


def _t_i_verb(d: _Draw, negated: bool) -> list[str]:        # i (did not) really loved/like the plot
    past, base = d.verb
    if not negated:
        return ["i"] + d.intensifier + [past, "the", d.noun]
    neg = (["did", "not"] + d.intensifier + [base], ["didn't"] + d.intensifier + [base],
           ["never"] + d.intensifier + [past])[d.variant]
    return ["i"] + neg + ["the", d.noun]


def _t_it_was_a(d: _Draw, negated: bool) -> list[str]:      # it was (not) a good movie
    return ["it"] + _copula(d, negated) + [_article(d.adj), d.adj, d.noun]


def _t_pair(d: _Draw, negated: bool) -> list[str]:          # (never) boring and truly great
    # the first adjective is the governed word; the second carries the sentence's final polarity
    first = [("not", "never", "never")[d.variant], d.adj] if negated else [d.adj]
    return first + ["and"] + (d.intensifier or ["truly"]) + [d.adj2]


def _t_what_a(d: _Draw, negated: bool) -> list[str]:        # what a good movie / not a good movie
    if negated:
        return ["not", _article(d.adj), d.adj, d.noun]
    return ["what", _article(d.adj), d.adj, d.noun]


TEMPLATES: dict[str, Callable[[_Draw, bool], list[str]]] = {
    "noun-was": _t_noun_was, "two-nouns": _t_two_nouns, "i-verb": _t_i_verb,
    "it-was-a": _t_it_was_a, "pair": _t_pair, "what-a": _t_what_a,
}


def sentence(template: str, polarity: int, negated: bool, rng: np.random.Generator) -> tuple[list[str], int]:
    """One sentence: (lowercase words, label). ``polarity`` (1 positive, 0 negative) is that of the
    sentiment word the negation governs; the label is that polarity, flipped when ``negated``.

    The 'pair' template adds a second sentiment word agreeing with the label.
    """
    if template not in TEMPLATES:
        raise DatasetError(f"Unknown sentiment template {template!r}: use one of {', '.join(TEMPLATES)}.")
    label = polarity ^ int(negated)
    d = _Draw(rng, polarity)
    if template == "pair":
        d.adj2 = ADJECTIVES[label][ADJECTIVES[polarity].index(d.adj2)]
    words = d.opener + TEMPLATES[template](d, negated)
    return words, label


def make_sentences(n: int, rng: np.random.Generator) -> tuple[list[list[str]], np.ndarray]:
    """``n`` sentences with balanced labels (alternating, then shuffled); about half negated."""
    names = list(TEMPLATES)
    labels = rng.permutation(np.arange(n) % 2)
    sentences = []
    for label in labels:
        negated = bool(rng.random() < 0.5)
        template = names[int(rng.integers(len(names)))]
        words, _ = sentence(template, int(label) ^ int(negated), negated, rng)
        sentences.append(words)
    return sentences, labels.astype(np.int64)


def encode_words(sentences: list[list[str]], max_len: int) -> np.ndarray:
    """Word ids (n, max_len) padded with 0 at the end."""
    index = {w: i for i, w in enumerate(VOCAB)}
    ids = np.zeros((len(sentences), max_len), dtype=np.int64)
    for row, words in enumerate(sentences):
        if len(words) > max_len:
            raise DatasetError(f"A sentence has {len(words)} words but max_len is {max_len}: raise max_len.")
        ids[row, :len(words)] = [index[w] for w in words]
    return ids


def make_sentiment(n_samples: int = 2000, max_len: int = 12, encoding: str = "ids", test_ratio: float = 0.2,
                   seed: int = 0) -> Dataset:
    """Balanced positive/negative sentences as word ids (T,) or one-hot (T, V), padded at the end."""
    if max_len < MAX_SENTENCE:
        raise DatasetError(f"max_len is {max_len}: the sentences have up to {MAX_SENTENCE} words, "
                           f"use at least {MAX_SENTENCE}.")
    rng = np.random.default_rng(seed)
    sentences, labels = make_sentences(n_samples, rng)
    x = encode_inputs(encode_words(sentences, max_len), len(VOCAB), encoding)
    train, test = split_indices(n_samples, test_ratio, rng, labels=labels)
    return classification(
        "sentiment", x, labels, train, test, ["negative", "positive"], vocab=list(VOCAB),
        description="Short generated reviews labelled negative or positive; negations ('not good', "
                    "'never boring') flip the meaning, so word order matters. Word ids, 0 = padding.")
