-- macros
-- Table macros every query builds on, created per connection (temporary, so changing them
-- needs no migration).

-- filtered_requests: requests narrowed by the shared sidebar filters; an empty value or list
-- means "all". Every argument is bound by the caller, never formatted into SQL.
create or replace temp macro filtered_requests(
    requester_type, requester_departments, provider_departments, provider_types, priorities, channels
) as table
select *
from requests
where (requester_type = '' or requests.requester_type = requester_type)
  and (len(requester_departments) = 0 or list_contains(requester_departments, requests.requester_department))
  and (len(provider_departments) = 0 or list_contains(provider_departments, requests.provider_department))
  and (len(provider_types) = 0 or list_contains(provider_types, requests.provider_type))
  and (len(priorities) = 0 or list_contains(priorities, requests.priority))
  and (len(channels) = 0 or list_contains(channels, requests.channel))
