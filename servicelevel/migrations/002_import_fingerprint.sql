-- Schema version 2: an import remembers a fingerprint of the mapping it used, so importing the
-- same bytes with the same source and the same mapping again is recognised and skipped.
alter table imports add column preset_sha256 varchar;
alter table imports add column identical_to integer;
