-- request_feedback
-- Returns: the survey answers about one request: submitted_at, score (1-5), score_raw, scale,
--   comment, language, survey_source.
-- Params: $source, $request_id
select submitted_at, score, score_raw, scale, comment, language, survey_source
from feedback
where request_source = $source and request_id = $request_id
order by submitted_at
