"""Tokenizer files for the tiny pack, made here because upstream's cannot be committed.

* `tokenizer.json`: a small UMT5-style Unigram tokenizer (Metaspace pre-tokenizer, `</s>` appended by a
  TemplateProcessing post-processor, pad 0 / eos 1 / unk 2) in the same Hugging Face format as
  umt5-base's, so the engine's text tokenizer runs unchanged on tiny and real packs.
* `vocab.json`: a lyric BPE vocabulary in the format of ACE-Step's `vocab.json` with the real special
  token ids (spec §1.3: [STOP] 0, [UNK] 1, [SPACE] 2, [START] 261, the 17 language tokens, the 12
  structure tags 6681–6692), a character alphabet and a few merges, padded with unreachable
  placeholders so ids stay contiguous up to 6692 like the real one.
"""
from __future__ import annotations


# Language and structure tokens at their real ids (spec §1.3).
LYRIC_SPECIAL_TOKENS: dict[int, str] = {
    0: "[STOP]", 1: "[UNK]", 2: "[SPACE]", 259: "[en]", 260: "[de]", 261: "[START]", 262: "[fr]", 267: "[ru]",
    284: "[es]", 285: "[it]", 286: "[pt]", 293: "[cs]", 294: "[pl]", 295: "[tr]", 297: "[nl]", 5022: "[ar]",
    5023: "[zh-cn]", 5412: "[ja]", 5753: "[hu]", 6152: "[ko]", 6680: "[hi]",
}
STRUCTURE_TAGS: dict[int, str] = {
    6681: "[start]", 6682: "[intro]", 6683: "[verse]", 6684: "[chorus]", 6685: "[bridge]", 6686: "[outro]",
    6687: "[end]", 6688: "[inst]", 6689: "[solo]", 6690: "[hook]", 6691: "[pre-chorus]", 6692: "[break]",
}
LYRIC_MODEL_VOCAB_SIZE = 6681  # ids 0..6680 belong to the BPE model; 6681..6692 are added tokens

_PUNCTUATION = list("!'(),-.:;?/&%\"[]")
_LATIN = list("abcdefghijklmnopqrstuvwxyz0123456789")
_ACCENTED = list("àáâãäåæçèéêëìíîïñòóôõöøùúûüýÿßœąćęłńśźżčďěňřšťůžğışőű")
# Words whose merges the tiny vocabulary learns, so BPE really merges (lyrics-flavoured).
_MERGE_WORDS = [
    "the", "and", "love", "night", "light", "sing", "with", "you", "me", "tonight", "heart", "fire", "sky",
    "dance", "dream", "baby", "yeah", "down", "up", "all", "la", "na", "oh", "straße", "coração", "été",
]


def lyric_vocab_json() -> dict:
    vocab: dict[str, int] = {}
    taken: dict[int, str] = dict(LYRIC_SPECIAL_TOKENS)
    merges: list[list[str]] = []
    next_id = 3

    def assign(token: str) -> None:
        nonlocal next_id
        if token in vocab:
            return
        while next_id in taken:
            next_id += 1
        taken[next_id] = token
        vocab[token] = next_id

    for token_id, token in LYRIC_SPECIAL_TOKENS.items():
        vocab[token] = token_id
    for char in _PUNCTUATION + _LATIN + _ACCENTED:
        assign(char)
    for word in _MERGE_WORDS:
        left = word[0]
        for char in word[1:]:
            merged = left + char
            if merged not in vocab:
                merges.append([left, char])
                assign(merged)
            left = merged
    for token_id in range(LYRIC_MODEL_VOCAB_SIZE):
        if token_id not in taken:
            placeholder = f"<unused{token_id}>"  # unreachable: no merge builds it
            taken[token_id] = placeholder
            vocab[placeholder] = token_id
    added = [
        {"id": i, "special": True, "content": t, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False}
        for i, t in sorted({**LYRIC_SPECIAL_TOKENS, **STRUCTURE_TAGS}.items())
    ]
    return {
        "version": "1.0", "truncation": None, "padding": None, "added_tokens": added, "normalizer": None,
        "pre_tokenizer": {"type": "Whitespace"}, "post_processor": None, "decoder": None,
        "model": {
            "type": "BPE", "dropout": None, "unk_token": "[UNK]", "continuing_subword_prefix": None,
            "end_of_word_suffix": None, "fuse_unk": False,
            "vocab": dict(sorted(vocab.items(), key=lambda item: item[1])), "merges": [" ".join(m) for m in merges],
        },
    }


_TEXT_WORDS = [
    "pop", "rock", "jazz", "funk", "lofi", "hip", "hop", "rap", "edm", "house", "techno", "ambient", "folk", "metal",
    "piano", "guitar", "bass", "drums", "synth", "strings", "vocal", "female", "male", "choir", "upbeat", "sad",
    "happy", "chill", "dark", "bright", "fast", "slow", "bpm", "energetic", "melodic", "acoustic", "electric",
    "electronic", "dance", "soul", "blues", "country", "classical", "orchestral", "cinematic", "trap", "beat",
]


def text_tokenizer_json(vocab_size: int) -> dict:
    """A Unigram tokenizer with exactly `vocab_size` pieces; scores are log-probabilities that prefer
    whole words over characters, as SentencePiece's do."""
    pieces: list[list] = [["<pad>", 0.0], ["</s>", 0.0], ["<unk>", 0.0]]
    chars = list("abcdefghijklmnopqrstuvwxyz0123456789,.-'&/()") + list("ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    pieces.append(["▁", -2.0])
    for word in _TEXT_WORDS:
        pieces.append(["▁" + word, -6.0 - 0.01 * len(pieces)])
    for char in chars:
        pieces.append([char, -8.0 - 0.01 * len(pieces)])
        pieces.append(["▁" + char, -8.5 - 0.01 * len(pieces)])
    if len(pieces) > vocab_size:
        raise ValueError(f"tiny text tokenizer needs at least {len(pieces)} ids, config has {vocab_size}")
    filler = 0
    while len(pieces) < vocab_size:
        pieces.append([f"<extra_id_{filler}>", -100.0])  # like T5's sentinel tokens: never produced from text
        filler += 1
    return {
        "version": "1.0", "truncation": None, "padding": None,
        "added_tokens": [
            {"id": i, "content": c, "single_word": False, "lstrip": False, "rstrip": False, "normalized": False, "special": True}
            for i, c in enumerate(["<pad>", "</s>", "<unk>"])
        ],
        "normalizer": {"type": "Replace", "pattern": {"Regex": " {2,}"}, "content": " "},
        "pre_tokenizer": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "post_processor": {
            "type": "TemplateProcessing",
            "single": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "pair": [{"Sequence": {"id": "A", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}},
                     {"Sequence": {"id": "B", "type_id": 0}}, {"SpecialToken": {"id": "</s>", "type_id": 0}}],
            "special_tokens": {"</s>": {"id": "</s>", "ids": [1], "tokens": ["</s>"]}},
        },
        "decoder": {"type": "Metaspace", "replacement": "▁", "prepend_scheme": "always", "split": True},
        "model": {"type": "Unigram", "unk_id": 2, "vocab": pieces, "byte_fallback": False},
    }


def text_tokenizer_config() -> dict:
    return {"model_max_length": 256, "eos_token": "</s>", "pad_token": "<pad>", "unk_token": "<unk>", "tokenizer_class": "T5Tokenizer"}

