-- subject_keys
-- Returns: one row per subject in the temporary view subjects_to_key(subject): subject, and
--   subject_key VARCHAR, the words that say what the request is about, used to group FAQ
--   candidates. The rules, in order (servicelevel/subjects.py documents why):
--   1. accents folded and lowercased ("Não" -> "nao");
--   2. URLs and e-mail addresses removed;
--   3. reply/forward prefixes at the start removed ("Re:", "Fwd:", "ENC:", "RES:", "TR:", "AW:");
--   4. [bracketed tags] removed ("[Portal]");
--   5. every word holding a digit removed: ticket numbers, ids, dates, amounts ("#4521",
--      "INC0012345", "2ª");
--   6. anything but letters becomes a space;
--   7. stop words (Portuguese, English, helpdesk filler such as "urgente", "ticket") and
--      one-letter words dropped; a word repeated later in the subject kept once.
--   "Não consigo acessar o sistema #4521" and "nao consigo acessar sistema" both give
--   "nao consigo acessar sistema". An empty key means the subject held nothing but noise.
-- Params: $stop_words VARCHAR[] (already folded)
with cleaned as (
    -- Rules 3, then 2, 4 and 5 in one pass (one alternation), then 6.
    select
        subject,
        regexp_replace(
            regexp_replace(
                regexp_replace(
                    lower(strip_accents(subject)),
                    '^\s*((re|res|fw|fwd|enc|tr|aw|wg)\s*:\s*)+', ''
                ),
                '(https?://|www\.)\S*|\S+@\S+|\[[^\]]*\]|\S*[0-9]\S*', ' ', 'g'
            ),
            '[^a-z]+', ' ', 'g'
        ) as text
    from subjects_to_key
),
words as (
    select subject, string_split(trim(text), ' ') as words
    from cleaned
),
final as (
    select
        subject,
        array_to_string(
            list_filter(
                words,
                lambda word, i: length(word) > 1
                    and not list_contains($stop_words, word)
                    and list_position(words, word) = i
            ),
            ' '
        ) as subject_key
    from words
)
select * from final
