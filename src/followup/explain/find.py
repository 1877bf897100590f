"""Which candidate the user means: an id in any case, or a name."""

from __future__ import annotations

import difflib

from ..errors import FollowupError

SUGGESTIONS = 3


def find_candidate(result, wanted: str) -> str:
    """The candidate id ``wanted`` names: the id itself, the id in any case (``c007``), or the
    candidate's name in any case (``gloria stanton``). A name several candidates share is an
    error listing them; a miss is an error suggesting the closest ids and names (difflib's
    ratio over the shortlist's ids and names, ≥ 0.6)."""
    shortlist = result.rounds[result.rounds["is_shortlist_round"].to_numpy(bool)]
    ids = shortlist["candidate_id"].astype(str)
    names = shortlist["name"].astype("string").fillna("")
    text = str(wanted).strip()
    if (ids == text).any():
        return text
    key = text.casefold()
    for matches in (ids[(ids.str.casefold() == key).to_numpy()],
                    ids[(names.str.casefold().str.split().str.join(" ") == " ".join(key.split())).to_numpy()]):
        if len(matches) == 1:
            return matches.iloc[0]
        if len(matches) > 1:
            listed = ", ".join(f"{i} {n}".strip() for i, n in zip(matches, names[matches.index]))
            raise FollowupError(f"{text!r} names {len(matches)} candidates: {listed}; give the id")
    labels = {**{i.casefold(): i for i in ids}, **{n.casefold(): i for i, n in zip(ids, names) if n}}
    close = difflib.get_close_matches(key, list(labels), n=SUGGESTIONS * 2, cutoff=0.6)
    shown = list(dict.fromkeys(labels[c] for c in close))[:SUGGESTIONS]
    named = dict(zip(ids, names))
    hint = ("; did you mean " + " or ".join(f"{i} ({named[i]})" if named[i] else i for i in shown) + "?"
            if shown else "")
    raise FollowupError(f"candidate {text!r} is not in the interview list{hint}")
