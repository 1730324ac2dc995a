-- link_feedback
-- Survey answers imported before their requests were (request_source still NULL) are linked
-- once the request id turns up in exactly one source.
-- Params: none
update feedback
set request_source = found.source
from (
    select request_id, min(source) as source
    from requests
    where request_id in (select request_id from feedback where request_source is null)
    group by request_id
    having count(distinct source) = 1
) as found
where feedback.request_source is null
  and feedback.request_id = found.request_id
