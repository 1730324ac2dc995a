-- request_feedback
-- Returns: the survey answers about one request: submitted_at, score (normalised to 1-5),
--   answered (the score as given, with its scale: '9 on 1-10', 'bad on good/bad'), comment,
--   language, survey_source.
-- Params: $source, $request_id
select
    submitted_at,
    score,
    score_raw || ' on ' || case scale when 'good_bad' then 'good/bad' when 'nps' then 'NPS 0-10' else scale end
        as answered,
    comment,
    language,
    survey_source
from feedback
where request_source = $source and request_id = $request_id
order by submitted_at
