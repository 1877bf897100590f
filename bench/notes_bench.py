"""What judging thank-you notes costs (followup.notes.note_facts), at 100k and 1M notes.

Each size runs in a fresh process so its peak memory is its own:

    python bench/notes_bench.py                       # 100k and 1M notes
    python bench/notes_bench.py --sizes 100000 --out bench/results/notes.json

The notes are synthetic and shaped like a real mailbox's: two interviewers per round, most
candidates writing two personal notes (sentences drawn from a 20,000-word vocabulary with a
Zipf-like frequency, so common words are common), one in eight sending an internet template with
a word or two changed (ten templates), one in ten copying one note to both interviewers, one in
twenty misspelling a name. Printed per size: wall time of each step and in all, the peak
resident memory of the process, and what was found (so a run that found nothing is visible).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

FIRST = ["Mei", "Raj", "Dana", "Omar", "Lena", "Tom", "Ava", "Ken", "Ines", "Paul", "Sara", "Yuki", "Noah", "Zoe"]
LAST = ["Chen", "Patel", "Whitfield", "Haddad", "Novak", "Byrne", "Silva", "Okafor", "Moreau", "Kim", "Berg"]
TEMPLATES = [
    "Thank you for taking the time to meet with me today. I enjoyed learning more about the role and your team. "
    "I am very excited about the opportunity and confident that my skills make me a strong fit.",
    "I wanted to thank you for the interview today. It was a pleasure to learn about the position and I look "
    "forward to hearing from you about the next steps in the process.",
    "Thanks again for speaking with me about the opening. I appreciated your time and the chance to share my "
    "experience, and I remain very interested in joining the company.",
] + [f"Thank you for the conversation about the {role} role. I am grateful for your time and I am sure my "
     f"background in {area} would help the team reach its goals this year."
     for role, area in [("account executive", "sales"), ("analyst", "reporting"), ("designer", "research"),
                        ("engineer", "systems"), ("manager", "operations"), ("recruiter", "hiring"),
                        ("consultant", "strategy")]]


def make_notes(size: int, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``size`` notes (two per round) and their rounds, as note_facts takes them."""
    rng = np.random.default_rng(seed)
    rounds = size // 2
    first = rng.integers(0, len(FIRST), (rounds, 2))
    last = rng.integers(0, len(LAST), (rounds, 2))
    names = np.char.add(np.char.add(np.array(FIRST)[first], " "), np.array(LAST)[last])
    held = pd.DataFrame({"candidate_code": np.arange(rounds),
                         "interviewers": pd.Categorical(np.char.add(np.char.add(names[:, 0], ";"), names[:, 1]))})
    syllables = ["ka", "lo", "mi", "ne", "pu", "ra", "si", "to", "ve", "zu", "ba", "de", "fo", "gi", "ha",
                 "jo", "ku", "le", "mo", "ni", "po", "ru", "sa", "te", "vi", "wo", "ya", "ze", "ca", "du"]
    vocabulary = np.array([a + b + c for a in syllables for b in syllables for c in syllables][:20_000])
    weights = 1 / np.arange(1, len(vocabulary) + 1)
    words = rng.choice(vocabulary, size=(size, 40), p=weights / weights.sum())
    personal = pd.Series([" ".join(row) for row in words])
    kind = rng.random(rounds)
    template = np.repeat(kind < 0.125, 2)
    chosen = np.array(TEMPLATES, dtype=object)[rng.integers(0, len(TEMPLATES), size)]
    chosen = np.where(rng.random(size) < 0.5, pd.Series(chosen).str.replace(" today", " this morning", regex=False),
                      chosen)
    body = np.where(template, chosen, personal.to_numpy(dtype=object))
    copied = np.flatnonzero((kind >= 0.125) & (kind < 0.225)) * 2
    body[copied + 1] = body[copied]
    greeted = np.array(FIRST)[first.ravel()]
    misspelled = rng.random(size) < 0.05
    greeted = np.where(misspelled, np.char.add(greeted, "e"), greeted)
    notes = pd.DataFrame({"round_pos": np.repeat(np.arange(rounds), 2),
                          "contact": names.ravel(),
                          "body": np.char.add(np.char.add("Dear ", greeted), ",\n").astype(object) + body
                          + "\n\nBest,\nSam"})
    return notes, held


def run_one(size: int) -> dict:
    from followup import notes as note_module
    from followup.policy import load_policy

    started = time.perf_counter()
    notes, held = make_notes(size)
    made = time.perf_counter()
    cpu_before = time.process_time()
    facts = note_module.note_facts(notes, held, load_policy("sales"))
    judged = time.perf_counter()
    return {
        "notes": size, "make_s": round(made - started, 1), "note_facts_s": round(judged - made, 1),
        # CPU time as well: on a shared machine the wall time also counts the others' work.
        "note_facts_cpu_s": round(time.process_time() - cpu_before, 1),
        "per_million_notes_s": round((judged - made) / size * 1e6, 1),
        "peak_rss_gb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 2),
        "found": {column: int(facts[column].sum()) for column in
                  ("notes_judged", "notes_copied", "notes_misspelled", "notes_template", "notes_stock")},
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--out", type=Path, default=Path("bench/results/notes.json"))
    parser.add_argument("--one", type=int, help=argparse.SUPPRESS)  # the child process: one size
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one)))
        return 0
    results = []
    for size in args.sizes:
        child = subprocess.run([sys.executable, __file__, "--one", str(size)], capture_output=True, text=True)
        if child.returncode:
            print(child.stderr, file=sys.stderr)
            return 1
        results.append(json.loads(child.stdout))
        print(json.dumps(results[-1]))
    print("\n| notes | note_facts wall | CPU | peak memory | copies found | templates found |\n|---|---|---|---|---|---|")
    for r in results:
        print(f"| {r['notes']:,} | {r['note_facts_s']} s | {r['note_facts_cpu_s']} s | {r['peak_rss_gb']} GB "
              f"| {r['found']['notes_copied']:,} | {r['found']['notes_template']:,} |")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
