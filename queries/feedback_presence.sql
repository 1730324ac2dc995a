-- feedback_presence
-- Returns: one row saying what survey data exists at all (to explain empty views):
--   n_answers (every stored answer), n_comments (answers with a comment), n_linked (answers
--   whose request is loaded, i.e. rows of answer_facts), first_submitted_at, last_submitted_at.
-- Params: none
select
    (select count(*) from feedback) as n_answers,
    (select count(*) from feedback where nullif(trim(comment), '') is not null) as n_comments,
    (select count(*) from answer_facts) as n_linked,
    (select min(submitted_at) from feedback) as first_submitted_at,
    (select max(submitted_at) from feedback) as last_submitted_at
