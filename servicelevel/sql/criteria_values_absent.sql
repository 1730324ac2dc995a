-- criteria_values_absent
-- The values policy criteria name that no stored request has, with the values the requests do
-- have in that field. Criteria compare exactly (case and spelling): a misspelt department
-- matches nothing and raises no error, so this is how it shows.
-- Params: $fields, $values VARCHAR[] (pairs: one criterion field and one value it names)
with named as (
    select unnest($fields) as field, unnest($values) as value
),
present as (
    select distinct 'requester_type' as field, requester_type as value from requests
    union all select distinct 'priority', priority from requests
    union all select distinct 'provider_department', provider_department from requests
    union all select distinct 'provider_type', provider_type from requests
    union all select distinct 'requester_department', requester_department from requests
    union all select distinct 'channel', channel from requests
    union all select distinct 'category', category from requests
    union all select distinct 'source', source from requests
),
known as (
    select field, list(value order by value) as known_values
    from present
    where value is not null
    group by field
)
select n.field, n.value, coalesce(k.known_values, []) as known_values
from named as n
left join known as k using (field)
where not exists (select 1 from present as p where p.field = n.field and p.value = n.value)
order by n.field, n.value
