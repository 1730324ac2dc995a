-- category_list
-- Returns: one row per category ever seen, most requests first: category ('(no category)'
--   when a request has none), n_requests.
-- Params: none
with final as (
    select coalesce(category, '(no category)') as category, count(*) as n_requests
    from request_facts
    group by all
)
select * from final
order by n_requests desc, category
