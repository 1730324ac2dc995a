-- comment_themes
-- Returns: one row per comment in the temporary table comments_to_classify(comment):
--   comment, themes VARCHAR[] (the lexicon themes it touches, sorted; empty when none).
--   Comments are folded as the terms are (lowercase, accents folded, anything but letters and
--   digits read as a space); $pattern finds every term occurrence, longest phrase first at
--   each position, so "nao resolveram" is found as one phrase and its "resolveram" is not
--   found again. Each phrase found belongs to the longest term it fits (a term is a whole
--   phrase, or a stem when its prefix flag is set; a whole phrase before a stem of the same
--   length), and that term's theme.
-- Params: $pattern VARCHAR (all terms as one regular expression, capture group 1 = the phrase),
--   $terms VARCHAR[] (folded, stems without the *), $term_is_prefix BOOLEAN[], $term_themes
--   VARCHAR[] (the three lists in the same order)
with folded as (
    select
        comment,
        ' ' || trim(regexp_replace(lower(strip_accents(comment)), '[^a-z0-9]+', ' ', 'g')) || ' ' as text
    from comments_to_classify
),
found as (
    select comment, unnest(regexp_extract_all(text, $pattern, 1)) as phrase
    from folded
),
lexicon as (
    select
        unnest($terms::varchar[]) as term,
        unnest($term_is_prefix::boolean[]) as is_prefix,
        unnest($term_themes::varchar[]) as theme
),
phrase_themes as (
    select p.phrase, first(l.theme order by length(l.term) desc, l.is_prefix, l.theme) as theme
    from (select distinct phrase from found) as p
    join lexicon as l
        on p.phrase = l.term or (l.is_prefix and starts_with(p.phrase, l.term))
    group by p.phrase
),
themed as (
    select f.comment, t.theme
    from found as f
    join phrase_themes as t using (phrase)
),
final as (
    select
        c.comment,
        coalesce(list(distinct t.theme order by t.theme) filter (where t.theme is not null), []) as themes
    from folded as c
    left join themed as t using (comment)
    group by c.comment
)
select * from final
