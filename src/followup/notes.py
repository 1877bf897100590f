"""Thank-you notes judged from their text: one to each interviewer and each its own, the name in
the greeting spelled right, personal rather than a template.

The seeds judge the notes themselves, not only their timing: "send each person a unique
message that references a specific topic of discussion" and "if you … incorrectly spell the
person's name, they may rule you out" (seed 000); "avoid sending a generic thank-you note …
refer to the interviewer by name" (seed 001). :func:`note_facts` computes, once per held round,
the counts :mod:`followup.scoring` weighs (``schema.NOTE_COUNT_COLUMNS``) and the panel names
the reasons quote (``schema.NOTE_NAME_COLUMNS``). The notes judged are a round's opening
thank-yous (``features._opening_notes``) that carry message text.

How each judgement is made (the numbers come from the policy's ``[notes]`` section):

* **The note's own text**: the message with any quoted reply cut off, the greeting line and the
  sign-off (``Best,`` / ``Regards,`` and the signature under it) removed, and every word of an
  interviewer's name removed — what is left is what the candidate wrote for this reader.
* **Similarity** is the cosine of TF-IDF vectors of the own text over words and word pairs
  (scikit-learn, ``sublinear_tf``, rows normalised to length 1), fitted on every judged note of
  the run: words every note has (``thank you``) weigh little, shared rare phrases much. Word pairs
  make it a measure of shared phrasing, not shared vocabulary: two notes on different topics
  stay apart even when both say "thank you for your time". How near is near: a 25-word note with
  three words changed scores about 0.75, the same template with "this afternoon" for "today" and
  "I'm" for "I am" about 0.85, two personal notes on different topics of one interview 0.1–0.3;
  ``copy_similarity`` and ``template_similarity`` (0.6) are the line.
* **One per interviewer**: a note at least ``copy_similarity`` like an earlier note of the same
  round counts as a copy, not a note of its own; an interviewer who got only copies was not
  thanked individually (``interviewers_copied``).
* **Names**: the name in the greeting (``Dear Mei``, ``Hi Ms. Chen,``, ``Hello Mai Chen``) is
  compared (rapidfuzz's Jaro-Winkler, case-folded) with the first, last and full name of each
  interviewer of the round: equal to the addressed interviewer's is right; at least
  ``name_similarity`` (0.75: "Mai" for "Mei" is 0.80, "Chenn" for "Chen" 0.96, "Ann" for "Dan"
  0.56) but not equal is misspelled; another interviewer's name, or a name close to nobody on the
  panel, is the wrong person; no greeting, or a role ("Dear Hiring Manager"), is none.
* **Template**: a note at least ``template_similarity`` like notes of ``template_candidates``
  other candidates shares its text with them, and one with fewer than ``min_own_words`` words
  of its own is a stock phrase; both are the template kind. Candidates are counted, not notes:
  identical own texts are one row with the number of candidates who wrote it, so a template a
  thousand people sent costs one row; distinct texts are compared with sparse products of
  blocks of rows over their distinctive terms (see :func:`_template_matches`) — no loop over
  candidates. A candidate who sent two different notes both like mine is counted twice.

It judges copying, names and templates — never what was discussed: a personal note and a polite
one about nothing in particular can look alike to it.

>>> import pandas as pd
>>> held = pd.DataFrame({"candidate_code": [0, 1], "interviewers": ["Mei Chen;Raj Patel", "Mei Chen;Raj Patel"]})
>>> notes = pd.DataFrame({"round_pos": [0, 0, 1], "contact": ["Mei Chen", "Raj Patel", "Mei Chen"], "body": [
...     "Dear Mai,\\nThank you for walking me through the territory plan and the Q3 pipeline review.",
...     "Dear Raj,\\nThank you for walking me through the territory plan and the Q3 pipeline review.",
...     "Hi Mei,\\nI enjoyed our talk about onboarding new reps and how you coach cold calling skills."]})
>>> from followup.policy import load_policy
>>> facts = note_facts(notes, held, load_policy("sales"))
>>> first = facts.loc[0]
>>> print(first.notes_judged, first.notes_copied, first.notes_misspelled, first.notes_copied_to, first.greeting_name)
2 1 1 Mei Chen;Raj Patel Mai
>>> second = facts.loc[1]
>>> print(second.notes_judged, second.notes_copied, second.notes_misspelled, second.notes_template)
1 0 0 0
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .normalise import person_key
from .policy import Policy
from .rounds import panel_members
from .schema import GREETINGS, NAME_SEPARATOR, NOTE_COUNT_COLUMNS, NOTE_NAME_COLUMNS
from .textcolumns import text_array

# A word of a name: letters, with apostrophes and hyphens inside (O'Neil, Anne-Marie).
_NAME_WORD = r"\pL[\pL'’-]*"
_NAME = rf"{_NAME_WORD}(?:[ \t]+{_NAME_WORD}){{0,2}}"
# RE2 (Arrow's regex engine) syntax. Either a greeting word, an optional title and the name up
# to the first comma or line end; or a first line that is only a name and a comma ("Mei,").
GREETING = (r"^\s*(?:(?i:dear|hi|hello|hey|greetings|good morning|good afternoon|good evening)\b[ \t]*,?[ \t]*"
            rf"(?:(?i:mr|mrs|ms|miss|mx|dr|prof)\.?[ \t]+)?(?P<named>{_NAME})?"
            rf"|(?P<bare>{_NAME})[ \t]*,[ \t]*\n)")
# The greeting up to its comma (or the line's end): "Hi Mei Chen, thanks so much …" keeps "thanks so much …".
GREETING_LINE = r"\A\s*(?i:dear|hi|hello|hey|greetings|good morning|good afternoon|good evening)\b[^\n,:!]*[,:!]?"
BARE_NAME_LINE = rf"\A\s*{_NAME}[ \t]*,[ \t]*\n"
# A quoted earlier message (a reply), and everything after it.
QUOTED = r"(?ms)^(?:>|On [^\n]{0,200}wrote:|-{2,}\s*Original Message|From: ).*\z"
# A sign-off line on its own ("Best,", "Kind regards", "Thanks!") and the signature below it.
SIGN_OFF = (r"(?ims)^[ \t]*(?:best|best regards|kind regards|warm regards|warmly|regards|sincerely|"
            r"yours|yours sincerely|respectfully|cheers|thanks|thank you|many thanks|all the best|"
            r"thanks again|with gratitude)[ \t]*[,.!]?[ \t]*$.*\z")
# Greeted "names" that name no one: a role or a crowd.
NOT_A_NAME = ("team", "all", "everyone", "there", "hiring manager", "hiring team", "hiring committee",
              "sir", "madam", "sir or madam", "recruiter", "recruiting team", "folks", "both", "you",
              "sir madam", "whom it may concern", "friends", "colleagues", "panel")
BLOCK_ROWS = 2048          # texts per sparse product: bounds the memory of one
COMMON_TERM_TEXTS = 1000   # terms in more distinct texts than this are left out of template matching


def note_facts(notes: pd.DataFrame, held: pd.DataFrame, policy: Policy) -> pd.DataFrame:
    """Per held round (``held``'s order), the note counts and quoted names.

    ``notes``: one row per opening thank-you with ``round_pos`` (position in ``held``),
    ``contact`` and ``body``, in (round, time) order; rows without text are not judged.
    """
    n = len(held)
    facts = pd.DataFrame({c: np.zeros(n, dtype=np.int64) for c in NOTE_COUNT_COLUMNS}, index=held.index)
    for column in (*NOTE_NAME_COLUMNS, "greeting_issue"):
        facts[column] = pd.Series(None, index=held.index, dtype=object)
    body = notes["body"]
    notes = notes[(body.notna() & (body.astype("string").str.strip() != "")).to_numpy(dtype=bool)]
    if not len(notes):
        return facts
    rules = policy.notes
    position = notes["round_pos"].to_numpy(dtype=np.int64)
    text = pc.utf8_normalize(text_array(notes["body"].astype(object)), "NFC")
    text = pc.replace_substring_regex(pc.replace_substring(text, "\r\n", "\n"), QUOTED, "")
    panel = _panel(held)
    candidate = held["candidate_code"].to_numpy(dtype=np.int64)[position]

    own = _own_text(text, panel["name"])
    own_words = pc.fill_null(pc.count_substring_regex(own, r"\pL+"), 0).to_numpy(zero_copy_only=False)
    vectors = tfidf_vectors(own)
    copy_of = _copies(vectors, position, rules.copy_similarity)
    is_copy = copy_of >= 0
    matches = _template_matches(vectors, own, candidate, rules.template_similarity)
    stock = own_words < rules.min_own_words
    template = (matches >= rules.template_candidates) | stock

    addressed = _addressed(notes["contact"], position, panel)
    off_panel = notes["contact"].notna().to_numpy() & (addressed < 0)
    greeting, greeted, interviewer = _greetings(text, position, addressed, off_panel, panel, rules.name_similarity)

    mine = ~is_copy
    facts["notes_judged"] = np.bincount(position, minlength=n)
    facts["notes_copied"] = np.bincount(position[is_copy], minlength=n)
    for column, code in (("notes_misspelled", "misspelled"), ("notes_wrong_person", "wrong_person"),
                         ("notes_no_name", "none")):
        facts[column] = np.bincount(position[mine & (greeting == GREETINGS.index(code))], minlength=n)
    facts["notes_template"] = np.bincount(position[mine & template], minlength=n)
    facts["notes_stock"] = np.bincount(position[mine & stock], minlength=n)
    most = np.zeros(n, dtype=np.int64)
    np.maximum.at(most, position, matches)
    facts["template_matches"] = most
    facts["interviewers_copied"] = _only_copied(position, addressed, is_copy, n)
    facts["notes_copied_to"] = _copied_to(position, addressed, copy_of, panel, held.index)
    # The first own note with a wrong or misspelled greeting is the one a reason quotes.
    issue = mine & np.isin(greeting, [GREETINGS.index("misspelled"), GREETINGS.index("wrong_person")])
    rows = np.flatnonzero(issue)
    first = rows[np.r_[True, position[rows][1:] != position[rows][:-1]]] if len(rows) else rows
    facts.iloc[position[first], facts.columns.get_loc("greeting_name")] = greeted[first]
    facts.iloc[position[first], facts.columns.get_loc("greeting_issue")] = np.asarray(GREETINGS, dtype=object)[
        greeting[first]]
    facts.iloc[position[first], facts.columns.get_loc("greeting_interviewer")] = panel["name"].to_numpy(
        dtype=object)[interviewer[first]]
    return facts


def _panel(held: pd.DataFrame) -> pd.DataFrame:
    """One row per (round position, interviewer): ``pos``, the ``name`` as the interview list
    writes it, its comparable ``key`` (``normalise.person_key``) and first/last name, case-folded.
    Each distinct panel string is split once."""
    pos, name_of_member, names = panel_members(held)
    picked = names.iloc[name_of_member].reset_index(drop=True)
    key = person_key(picked)
    words = key.str.split(" ")
    return pd.DataFrame({"pos": pos, "name": picked.to_numpy(dtype=object), "key": key.to_numpy(dtype=object),
                         "first": words.str[0].to_numpy(dtype=object), "last": words.str[-1].to_numpy(dtype=object)})


def _own_text(text: pa.Array, names: pd.Series) -> pa.Array:
    """What the candidate wrote for this reader: greeting, sign-off and interviewers' names gone."""
    own = pc.replace_substring_regex(text, GREETING_LINE, "")
    own = pc.replace_substring_regex(own, BARE_NAME_LINE, "")
    own = pc.replace_substring_regex(own, SIGN_OFF, "")
    words = pd.unique(pd.Series(names, dtype="string").str.casefold().str.split(r"[\s._-]+").explode().dropna())
    words = sorted((w for w in words if len(w) >= 2), key=len, reverse=True)
    if words:
        escaped = "|".join(pc.replace_substring_regex(pa.array(words), r"([^\pL\pN ])", r"\\\1").to_pylist())
        own = pc.replace_substring_regex(own, rf"(?i)\b(?:{escaped})\b", " ")
    return own


def _copies(vectors, position: np.ndarray, threshold: float) -> np.ndarray:
    """For each note, the earliest earlier note of its round it copies (-1: none). Notes come in
    (round, time) order, so a round's notes are neighbours; the loop is over the distance
    between two notes of one round (at most the panel size), never over notes."""
    copy_of = np.full(len(position), -1, dtype=np.int64)
    distance = 1
    while distance < len(position):
        later = np.arange(distance, len(position))
        earlier = later - distance
        same_round = position[later] == position[earlier]
        if not same_round.any():
            break
        later, earlier = later[same_round], earlier[same_round]
        similarity = np.asarray(vectors[later].multiply(vectors[earlier]).sum(axis=1)).ravel()
        hit = similarity >= threshold
        # Farther back is earlier: later distances overwrite, so the earliest original wins.
        copy_of[later[hit]] = earlier[hit]
        distance += 1
    return copy_of


def tfidf_vectors(own: pa.Array):
    """TF-IDF rows (length 1) of the texts over words of two or more letters and word pairs.

    Tokens are cut and counted in Arrow and numpy (a Python tokenizer per note would cost more
    than everything else at a million notes); scikit-learn's ``TfidfTransformer`` weighs them
    (``sublinear_tf``: 1 + log of the count; smoothed idf; l2 norm).

    >>> rows = tfidf_vectors(pa.array(["the territory plan", "the plan", "x"]))
    >>> rows.shape  # the, territory, plan, "the territory", "territory plan", "the plan"
    (3, 6)
    >>> [round(float(v), 2) for v in (rows @ rows.T).toarray()[0]]
    [1.0, 0.39, 0.0]
    """
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfTransformer

    tokens = pc.split_pattern_regex(pc.utf8_lower(own), r"[^\pL]+")
    note = pc.list_parent_indices(tokens).to_numpy(zero_copy_only=False)
    words = pc.list_flatten(tokens)
    long_enough = pc.greater_equal(pc.utf8_length(words), 2)
    note = note[long_enough.to_numpy(zero_copy_only=False)]
    encoded = pc.dictionary_encode(words.filter(long_enough))
    word = encoded.indices.to_numpy(zero_copy_only=False).astype(np.int64)
    vocabulary = len(encoded.dictionary)
    follows = np.flatnonzero(note[1:] == note[:-1])
    pair, pairs = pd.factorize(word[follows] * vocabulary + word[follows + 1])
    rows = np.concatenate([note, note[follows]])
    terms = np.concatenate([word, vocabulary + pair])
    counts = sp.csr_matrix((np.ones(len(rows), dtype=np.float32), (rows, terms)),
                           shape=(len(own), max(vocabulary + len(pairs), 1)))
    counts.sum_duplicates()
    return TfidfTransformer(sublinear_tf=True).fit_transform(counts).astype(np.float32).tocsr()


def _template_matches(vectors, own: pa.Array, candidate: np.ndarray, threshold: float) -> np.ndarray:
    """How many other candidates wrote a note at least ``threshold`` like each note.

    Identical own texts (words case-folded) are one text, counted once per candidate who wrote
    it, so a template a thousand candidates sent costs one row, not a million pairs. Distinct
    texts are compared by sparse products of blocks of rows against all rows, over their
    distinctive terms: those in at most :data:`COMMON_TERM_TEXTS` distinct texts. The words and
    pairs every note has ("thank you", "for the") are left out of the products — they would make
    them dense, and sharing them is not copying — so below that many distinct texts the cosine
    is exact, above it a lower bound.
    """
    folded = pc.utf8_trim_whitespace(pc.replace_substring_regex(pc.utf8_lower(own), r"[^\pL\pN]+", " "))
    text_of_note, texts = pd.factorize(pd.util.hash_array(folded.to_numpy(zero_copy_only=False).astype(object)))
    authors = pd.DataFrame({"text": text_of_note, "candidate": candidate}).drop_duplicates()
    writers = np.bincount(authors["text"].to_numpy(), minlength=len(texts))
    example = np.zeros(len(texts), dtype=np.int64)
    example[text_of_note[::-1]] = np.arange(len(text_of_note))[::-1]  # each text's first note
    rows = vectors[example]
    in_texts = np.bincount(rows.indices, minlength=rows.shape[1])
    rows = rows[:, np.flatnonzero(in_texts <= COMMON_TERM_TEXTS)].tocsr()
    others = rows.T.tocsr()
    similar_writers = np.zeros(len(texts), dtype=np.int64)
    for start in range(0, len(texts), BLOCK_ROWS):
        block = (rows[start:start + BLOCK_ROWS] @ others).tocoo()
        first = block.row.astype(np.int64) + start
        near = (block.data >= threshold) & (first != block.col)
        similar_writers += np.bincount(first[near], weights=writers[block.col[near]],
                                       minlength=len(texts)).astype(np.int64)
    # Other candidates: the same text's other writers, and the writers of texts like it.
    return (writers - 1 + similar_writers)[text_of_note]


def _addressed(contact: pd.Series, position: np.ndarray, panel: pd.DataFrame) -> np.ndarray:
    """Each note's addressed interviewer as a row of ``panel`` (-1: not on the round's panel)."""
    keys = person_key(contact.astype(object).astype("string")).to_numpy(dtype=object)
    lookup = pd.Series(np.arange(len(panel)), index=pd.MultiIndex.from_arrays([panel["pos"], panel["key"]]))
    lookup = lookup[~lookup.index.duplicated()]
    found = lookup.reindex(pd.MultiIndex.from_arrays([position, keys]))
    return found.fillna(-1).to_numpy(dtype=np.int64)


def _greetings(text: pa.Array, position: np.ndarray, addressed: np.ndarray, off_panel: np.ndarray,
               panel: pd.DataFrame, threshold: float) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each note's greeting code (index into ``GREETINGS``), the greeted name as written, and
    the panel row it is judged against (the addressed interviewer, else the closest).

    A note to someone off the panel (the recruiter, say) has no interview name to be spelled
    against: only whether it greets anyone by name is judged."""
    from rapidfuzz import process
    from rapidfuzz.distance import JaroWinkler

    found = pc.extract_regex(text, GREETING)
    named = pc.if_else(pc.equal(found.field("named"), ""), found.field("bare"), found.field("named"))
    greeted = pd.Series(named.to_numpy(zero_copy_only=False), dtype="string").str.strip()
    greeted = greeted.str.replace(r"(?i)\s+(?:and|&)\s.*$", "", regex=True)  # "Dear Mei and Raj": Mei
    folded = greeted.str.casefold()
    nameless = (folded.isna() | (folded == "") | folded.isin(NOT_A_NAME)).to_numpy(dtype=bool)

    # Every (note, interviewer of its round) pair, compared on first, last and full name.
    starts = np.searchsorted(panel["pos"].to_numpy(), position)
    count = np.bincount(panel["pos"].to_numpy(), minlength=int(position.max()) + 1)[position]
    note = np.repeat(np.arange(len(position)), count)
    member = np.repeat(starts, count) + (np.arange(len(note)) - np.repeat(np.cumsum(count) - count, count))
    query = folded.fillna("").to_numpy(dtype=object)[note]
    similarity = np.zeros(len(note))
    exact = np.zeros(len(note), dtype=bool)
    for form in ("first", "last", "key"):
        choices = panel[form].to_numpy(dtype=object)[member]
        similarity = np.maximum(similarity, process.cpdist(query, choices, scorer=JaroWinkler.normalized_similarity,
                                                           workers=1))
        exact |= query == choices
    is_addressed = addressed[note] == member
    closest = pd.DataFrame({"note": note, "similarity": similarity + exact, "member": member}).sort_values(
        ["note", "similarity"], ascending=[True, False], kind="stable").drop_duplicates("note")
    best = np.full(len(position), -1, dtype=np.int64)
    best[closest["note"].to_numpy()] = closest["member"].to_numpy()
    best_close = np.zeros(len(position), dtype=bool)
    best_close[closest["note"].to_numpy()] = closest["similarity"].to_numpy() >= threshold
    any_exact = np.bincount(note[exact], minlength=len(position)) > 0
    addressed_exact = np.bincount(note[exact & is_addressed], minlength=len(position)) > 0
    addressed_close = np.bincount(note[is_addressed & (similarity >= threshold)], minlength=len(position)) > 0
    known = addressed >= 0

    right = np.where(known, addressed_exact, any_exact)
    misspelled = ~right & np.where(known, addressed_close & ~any_exact, best_close)
    # Off the panel, or a round with no interviewers listed: no name to spell against.
    unjudged = off_panel | (count == 0)
    code = np.select([nameless, right | unjudged, misspelled],
                     [GREETINGS.index("none"), GREETINGS.index("right"), GREETINGS.index("misspelled")],
                     GREETINGS.index("wrong_person"))
    return code, greeted.to_numpy(dtype=object), np.where(known, addressed, np.maximum(best, 0))


def _only_copied(position: np.ndarray, addressed: np.ndarray, is_copy: np.ndarray, n: int) -> np.ndarray:
    """Per round: interviewers whose every note was a copy of a note to someone else."""
    reached = addressed >= 0
    pairs = pd.DataFrame({"pos": position[reached], "who": addressed[reached], "own": ~is_copy[reached]})
    any_own = pairs.groupby(["pos", "who"], sort=False)["own"].any()
    only_copies = any_own[~any_own.to_numpy()].index.get_level_values("pos").to_numpy(dtype=np.int64)
    return np.bincount(only_copies, minlength=n)


def _copied_to(position: np.ndarray, addressed: np.ndarray, copy_of: np.ndarray, panel: pd.DataFrame,
               index: pd.Index) -> pd.Series:
    """Per round, the interviewers (as the interview list names them, ``;``-joined in panel
    order) who got the same note as someone else: each copy's recipient and its original's."""
    copies = np.flatnonzero(copy_of >= 0)
    notes = np.concatenate([copies, copy_of[copies]])
    who = addressed[notes]
    pairs = pd.DataFrame({"pos": position[notes][who >= 0], "who": who[who >= 0]}).drop_duplicates().sort_values(
        ["pos", "who"])
    result = pd.Series(None, index=index, dtype=object)
    if not len(pairs):
        return result
    counts = pairs.groupby("pos", sort=True).size()
    offsets = np.concatenate([[0], np.cumsum(counts.to_numpy())]).astype(np.int32)
    names = text_array(panel["name"].to_numpy(dtype=object)[pairs["who"].to_numpy()])
    joined = pc.binary_join(pa.ListArray.from_arrays(pa.array(offsets), names), NAME_SEPARATOR)
    # One recipient means the same note went twice to one person: not a copy across interviewers.
    several = counts.to_numpy() >= 2
    result.iloc[counts.index.to_numpy()[several]] = np.asarray(joined.to_numpy(zero_copy_only=False),
                                                               dtype=object)[several]
    return result
