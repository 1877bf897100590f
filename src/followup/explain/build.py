"""One candidate's explanation: the timeline, the components, the flags and what was missed."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import FollowupError
from ..schema import FLAG_REASON_COLUMNS, FLAG_SEPARATOR, NAME_SEPARATOR, REASON_SEPARATOR, ROLE_SEPARATOR
from .components import components_of
from .find import find_candidate
from .missed import expected_but_missed
from .model import Explanation, TimelineEvent
from .roles import annotate_events
from .words import local_when

TIMELINE_LIMIT = 1_000


def explain(result, candidate_id: str) -> Explanation:
    """Explain ``candidate_id``'s shortlist round in ``result`` (a :class:`~followup.ScoreResult`).

    ``candidate_id`` may be the id in any case or the candidate's name (:func:`find_candidate`);
    an unknown one raises :class:`~followup.errors.FollowupError` with the closest matches.
    """
    candidate_id = find_candidate(result, candidate_id)
    rounds = result.rounds
    mine = rounds[(rounds["candidate_id"].astype(str) == str(candidate_id)).to_numpy()
                  & rounds["is_shortlist_round"].to_numpy(bool)]
    if mine.empty:
        raise FollowupError(f"candidate {candidate_id!r} is not in the interview list")
    row = mine.iloc[0]
    policy, tz = result.policy, result.tz
    events = annotate_events(result, [candidate_id], described=TIMELINE_LIMIT)
    # A hostile or runaway log can hold a million events for one candidate: the card lists
    # a bounded number (one object each), the numbers come from every event.
    listed = events[(events["description"] != "").to_numpy()].head(TIMELINE_LIMIT)
    ranked = result.candidates[(result.candidates["candidate_id"].astype(str) == str(candidate_id)).to_numpy()]
    if "round_number" in ranked:  # scored with all_rounds: one row per round; the card is the shortlist round's
        ranked = ranked[(ranked["round_number"] == row["round_number"]).to_numpy()]
    rank = ranked["rank"].iloc[0] if "rank" in ranked and len(ranked) else None
    reasons = [r for r in str(row["reasons"] or "").split(REASON_SEPARATOR) if r]
    flags = [f for f in str(row["flags"] or "").split(FLAG_SEPARATOR) if f]
    # Each flag's reason is a column of the engine's (reasons.explain), not read out of the sentences.
    flag_reasons = {code: str(row[column]) for code, column in FLAG_REASON_COLUMNS.items() if pd.notna(row[column])}
    components, score_why, grade_why = components_of(row, policy)
    card = Explanation(
        candidate_id=str(candidate_id),
        name=None if pd.isna(row["name"]) else str(row["name"]),
        status=str(row["status"]),
        rank=None if rank is None or pd.isna(rank) else int(rank),
        score=None if pd.isna(row["score"]) else float(row["score"]),
        grade=None if pd.isna(row["grade"]) else str(row["grade"]),
        flags=flags,
        as_of=result.as_of.tz_convert(tz).isoformat(),
        tz=tz,
        policy={"name": policy.name, "hash": policy.content_hash},
        interview=_interview(row, tz),
        events=[_event_record(e) for e in listed.to_dict(orient="records")],
        events_total=len(events),
        components=components,
        score_why=score_why,
        grade_why=grade_why,
        flag_reasons=flag_reasons,
        missed=expected_but_missed(row, events, policy, tz),
        reasons=reasons,
        **_over_time(result, str(candidate_id)),
    )
    card._unanswered_runs = listed["unanswered_run"].tolist()
    return card


def _over_time(result, candidate_id: str) -> dict:
    """The candidate's runs from the result's history, with the trend columns, if it has one."""
    history = result.score_history
    if not len(history) or "trend" not in result.candidates:
        return {}
    mine = history[history["candidate_id"].astype(str) == candidate_id]
    row = result.candidates[result.candidates["candidate_id"].astype(str) == candidate_id].iloc[0]
    runs = [{"as_of": pd.Timestamp(r["as_of"]).isoformat(),
             "score": None if pd.isna(r["score"]) else float(r["score"]),
             "grade": None if pd.isna(r["grade"]) else str(r["grade"]),
             "flags": [f for f in str(r["flags"] or "").split(FLAG_SEPARATOR) if f], "status": str(r["status"])}
            for r in mine.sort_values("as_of").to_dict(orient="records")]  # one candidate's few runs
    return {"score_over_time": runs, "trend": str(row["trend"]), "score_trail": str(row["score_trail"])}


def _event_record(event: dict) -> TimelineEvent:
    def text(value):
        return None if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NA else str(value)

    duration = event["duration_s"]
    return TimelineEvent(
        day=int(event["day"]), local_time=event["local_time"], date=event["date"],
        timestamp=pd.Timestamp(event["timestamp"]).isoformat(), channel=event["channel"],
        direction=event["direction"], outcome=text(event["outcome"]),
        duration_s=None if pd.isna(duration) else float(duration), contact=text(event["contact"]),
        description=event["description"], kind=event["kind"], counted=bool(event["counted"]),
        counts_for=[r for r in event["roles"].split(ROLE_SEPARATOR) if r],
        source_file=event["source_file"], source_row=int(event["source_row"]))


def _interview(row: pd.Series, tz: str) -> dict[str, object]:
    listed = row.get("interviewers")
    interviewers = [] if listed is None or pd.isna(listed) else [p.strip() for p in str(listed).split(NAME_SEPARATOR) if p.strip()]
    end = row["interview_end"]
    ends = "" if pd.isna(end) else f"–{pd.Timestamp(end).tz_convert(tz).strftime('%H:%M')}"
    round_text = f"round {row['round_number']} of {row['rounds']}, " if row["rounds"] > 1 else ""
    summary = (f"{round_text}{local_when(row['interview_at'], tz)}{ends}"
               + (f" with {', '.join(interviewers)}" if interviewers else ""))
    closed = {"as_of": "the as-of time", "decision": f"the decision ({row['decision']})",
              "next_interview": "the next interview"}[str(row["window_closed_by"])]
    window = (f"{local_when(row['anchor'], tz)} → {local_when(row['window_end'], tz)} "
              f"(day {int(row['window_end_day'])}, closed by {closed})" if row["held"]
              else "not open yet: the interview is after the as-of time")
    return {"summary": summary, "interviewers": interviewers, "round": int(row["round_number"]),
            "rounds": int(row["rounds"]), "interview_at": pd.Timestamp(row["interview_at"]).isoformat(),
            "anchor": pd.Timestamp(row["anchor"]).isoformat(), "window": window,
            "window_end": pd.Timestamp(row["window_end"]).isoformat(),
            "window_closed_by": str(row["window_closed_by"]),
            "decision": None if pd.isna(row["decision"]) else str(row["decision"]),
            "day0": local_when(row["anchor"], tz, with_time=False)}
