-- policy_reach
-- How many stored requests each policy applies to (the first whose criteria match), so that a
-- policy file, a draft too, can be checked on the data before it is put in place. policy_pos is
-- the policy's 1-based position, NULL for requests no policy matches. The marker /*policy_no*/
-- is replaced by sla.py with the CASE of sla_request_sla.sql.
-- Params: the $policy_<i>_<j>_<k> criteria values of that CASE
select /*policy_no*/ + 1 as policy_pos, count(*) as n_requests
from requests
group by all
order by policy_pos nulls last
