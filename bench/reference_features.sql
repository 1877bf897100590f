-- The benchmark's SQL reference: the basic follow-up features per candidate, in one query
-- over the two CSV files. It is what a competent analyst would write by hand, so the product
-- should be no slower than it on the same input.
--
-- Set before running (ref_duckdb.py does): events_path, interviews_path (VARCHAR) and
-- as_of (TIMESTAMPTZ). Follows docs/scoring.md's window: anchor = end of the latest interview
-- that started on or before as_of (start + 1 h without an end); the window runs from the
-- anchor to the earliest of as_of, decision_at and the next interview. Only inbound events
-- inside it count. Candidates with no events still get a row.
WITH
events AS (
    SELECT candidate_id, "timestamp", channel, direction, outcome
    FROM read_csv(getvariable('events_path'), header = true, columns = {
        'candidate_id': 'VARCHAR', 'timestamp': 'TIMESTAMPTZ', 'channel': 'VARCHAR',
        'direction': 'VARCHAR', 'outcome': 'VARCHAR', 'duration_s': 'BIGINT',
        'contact': 'VARCHAR', 'event_id': 'VARCHAR'
    })
),
rounds AS (
    SELECT
        candidate_id,
        interview_at,
        coalesce(interview_end, interview_at + INTERVAL 1 HOUR) AS interview_end,
        decision_at,
        lead(interview_at) OVER (PARTITION BY candidate_id ORDER BY interview_at)
            AS next_interview_at
    FROM read_csv(getvariable('interviews_path'), header = true, columns = {
        'candidate_id': 'VARCHAR', 'name': 'VARCHAR', 'interview_at': 'TIMESTAMPTZ',
        'interview_end': 'TIMESTAMPTZ', 'interviewers': 'VARCHAR', 'decision': 'VARCHAR',
        'decision_at': 'TIMESTAMPTZ', 'decision_due': 'TIMESTAMPTZ'
    })
),
candidates AS (
    SELECT DISTINCT candidate_id FROM rounds
),
windows AS (
    -- least() skips NULLs: a missing decision or next interview does not close the window.
    SELECT
        candidate_id,
        max_by(interview_end, interview_at) AS anchor,
        max_by(least(getvariable('as_of'), decision_at, next_interview_at), interview_at)
            AS window_end
    FROM rounds
    WHERE interview_at <= getvariable('as_of')
    GROUP BY candidate_id
),
follow_up AS (
    SELECT e.candidate_id, e."timestamp", e.channel, e.outcome, w.anchor
    FROM events AS e
    JOIN windows AS w USING (candidate_id)
    WHERE e.direction = 'inbound' AND e."timestamp" >= w.anchor AND e."timestamp" < w.window_end
),
rolling AS (
    SELECT
        *,
        -- Inbound events in the 7 days starting at this one (both ends included).
        count(*) OVER (
            PARTITION BY candidate_id ORDER BY "timestamp"
            RANGE BETWEEN CURRENT ROW AND INTERVAL 7 DAYS FOLLOWING
        ) AS in_7_days,
        floor(epoch("timestamp" - anchor) / (7 * 86400)) AS period
    FROM follow_up
),
features AS (
    SELECT
        candidate_id,
        min("timestamp") AS first_contact_at,
        count(*) AS inbound,
        count(*) FILTER (channel = 'email') AS email,
        count(*) FILTER (channel = 'phone') AS phone,
        count(*) FILTER (channel = 'letter') AS letter,
        count(*) FILTER (channel = 'sms') AS sms,
        count(*) FILTER (channel = 'linkedin') AS linkedin,
        count(*) FILTER (channel = 'in_person') AS in_person,
        count(*) FILTER (channel = 'other') AS other,
        count(*) FILTER (channel = 'phone' AND outcome IN ('hang_up', 'missed', 'busy'))
            AS hang_ups,
        max(in_7_days) AS max_in_7_days,
        count(DISTINCT period) AS periods_with_contact
    FROM rolling
    GROUP BY candidate_id
)
SELECT
    c.candidate_id,
    w.anchor,
    w.window_end,
    f.first_contact_at,
    epoch(f.first_contact_at - w.anchor) / 3600 AS hours_to_first_contact,
    coalesce(f.inbound, 0) AS inbound,
    coalesce(f.email, 0) AS email,
    coalesce(f.phone, 0) AS phone,
    coalesce(f.letter, 0) AS letter,
    coalesce(f.sms, 0) AS sms,
    coalesce(f.linkedin, 0) AS linkedin,
    coalesce(f.in_person, 0) AS in_person,
    coalesce(f.other, 0) AS other,
    coalesce(f.hang_ups, 0) AS hang_ups,
    coalesce(f.max_in_7_days, 0) AS max_in_7_days,
    coalesce(f.periods_with_contact, 0) AS periods_with_contact,
    -- Counted in UTC calendar days as docs/scoring.md does: the interview day is day 0 and a
    -- first contact on day 8 or later is too late. NULL when the window closed (as_of, a
    -- decision) before day 7 ended with nothing yet, and before the interview (upcoming).
    CASE
        WHEN date_diff('day', CAST(w.anchor AS DATE), CAST(f.first_contact_at AS DATE)) <= 7
            THEN false
        WHEN w.window_end >= CAST(w.anchor AS DATE) + INTERVAL 8 DAYS THEN true
    END AS no_contact_within_7_days
FROM candidates AS c
LEFT JOIN windows AS w USING (candidate_id)
LEFT JOIN features AS f USING (candidate_id)
