"""Measure extraction throughput as a ratio to the bare spaCy pipeline (tokenizer + NER only).

Both runs process the same texts in the same run with ``nlp.pipe`` over 2 processes, so the ratio
is robust to the machine's speed. Usage: ``python scripts/bench_extract.py [FOLDER ...] [--repeat N]``.
The default texts are the bundled ``sources/`` articles.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import spacy

from reformkg.extract import MODEL, build_pipeline
from reformkg.ingest import read_article

ROOT = Path(__file__).resolve().parent.parent


def _texts(folders: list[Path], repeat: int) -> list[str]:
    texts = [read_article(p).text for folder in folders for p in sorted(folder.glob("*.txt"))]
    return texts * repeat


def _words_per_second(nlp: spacy.language.Language, texts: list[str], n_process: int, batch_size: int) -> float:
    words = sum(len(t.split()) for t in texts)
    start = time.perf_counter()
    for _doc in nlp.pipe(texts, n_process=n_process, batch_size=batch_size):
        pass
    return words / (time.perf_counter() - start)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("folders", nargs="*", type=Path, default=[ROOT / "sources"])
    ap.add_argument("--repeat", type=int, default=40)
    ap.add_argument("--processes", type=int, default=2)
    ap.add_argument("--batch-size", type=int, default=16)
    args = ap.parse_args()
    texts = _texts(args.folders, args.repeat)
    others = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
    # en_core_web_sm's NER has its own embedding layer: "tok2vec" only feeds the tagger and parser
    bare = spacy.load(MODEL, exclude=["tok2vec", *others])
    bare_t2v = spacy.load(MODEL, exclude=others)
    ours = build_pipeline()
    for nlp in (bare, bare_t2v, ours):  # warm up caches before timing
        _words_per_second(nlp, texts[:4], 1, args.batch_size)
    base = _words_per_second(bare, texts, args.processes, args.batch_size)
    base_t2v = _words_per_second(bare_t2v, texts, args.processes, args.batch_size)
    full = _words_per_second(ours, texts, args.processes, args.batch_size)
    print(f"texts: {len(texts)}  words: {sum(len(t.split()) for t in texts)}  processes: {args.processes}")
    print(f"bare spaCy, tokenizer + NER:            {base:,.0f} words/s")
    print(f"bare spaCy, tokenizer + tok2vec + NER:  {base_t2v:,.0f} words/s")
    print(f"ReformKG extraction:                    {full:,.0f} words/s")
    print(f"ratio to tokenizer + NER: {full / base:.2f}")
    print(f"ratio to tokenizer + tok2vec + NER: {full / base_t2v:.2f}")


if __name__ == "__main__":
    main()
