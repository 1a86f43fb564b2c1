"""Parsing Mattermost's search terms (hub.search), without a database."""

from datetime import UTC, date, datetime

import pytest

from hub.errors import AppError
from hub.search import MAX_TERMS, SearchQuery, Term, parse


def words(*tokens: str) -> tuple[Term, ...]:
    return tuple(Term((token,)) for token in tokens)


def ms(text: str) -> int:
    return int(datetime.fromisoformat(text).replace(tzinfo=UTC).timestamp() * 1000)


def test_plain_words_are_lowercase_terms():
    assert parse("Deploy  release\tNOTES") == SearchQuery(terms=words("deploy", "release", "notes"))


def test_surrounding_punctuation_is_trimmed_and_inner_punctuation_splits():
    assert parse("(deploy), 'release'! foo-bar.baz").terms == words("deploy", "release", "foo", "bar", "baz")


def test_trailing_star_is_a_prefix_on_the_last_token_only():
    assert parse("depl*").terms == (Term(("depl",), prefix=True),)
    assert parse("foo-ba*").terms == (Term(("foo",)), Term(("ba",), prefix=True))
    assert parse("*lonely").terms == words("lonely")
    assert parse("mid*dle").terms == words("mid", "dle")


def test_quoted_phrase_is_one_term():
    query = parse('alpha "Release Notes" omega')
    assert query.terms == (Term(("alpha",)), Term(("release", "notes")), Term(("omega",)))
    assert query.terms[1].is_phrase


def test_quoted_phrase_keeps_flags_and_stars_as_text():
    assert parse('"from:alice in:town"').terms == (Term(("from", "alice", "in", "town")),)
    assert parse('"deploy*"').terms == words("deploy")


def test_exclusions_of_words_and_phrases():
    query = parse('keep -drop -"bad phrase" --twice')
    assert query.terms == words("keep")
    assert query.excluded_terms == (Term(("drop",)), Term(("bad", "phrase")), Term(("twice",)))


def test_unclosed_quote_and_stray_quotes_cannot_leak_into_terms():
    assert parse('"unclosed words').terms == words("unclosed", "words")
    assert parse('a"b c').terms == words("a", "b", "c")
    assert parse('""').is_empty
    assert parse('"').is_empty


def test_full_text_operators_in_user_text_become_plain_tokens():
    query = parse('NEAR(a b) OR x AND y NOT z ^col:1 +req ~tilde @at <> "q\\"uote"')
    for term in query.terms + query.excluded_terms:
        for token in term.tokens:
            assert token.isalnum() and token == token.lower()


def test_hashtags():
    query = parse("#Release ##double -#Skip #a #1x #ok.")
    assert query.hashtags == ("#release", "#double", "#ok")
    assert query.excluded_hashtags == ("#skip",)
    # "#a" and "#1x" are not valid hashtags: they are searched as text.
    assert query.terms == words("a", "1x")


def test_hashtag_characters():
    assert parse("#v1.2-rc_3").hashtags == ("#v1.2-rc_3",)
    assert parse("#ünïcode").hashtags == ("#ünïcode",)


def test_from_and_in_flags():
    query = parse("from:alice From:@Bob -from:carol in:town-square channel:~off-topic -in:random")
    assert query.from_users == ("alice", "bob")
    assert query.excluded_users == ("carol",)
    assert query.in_channels == ("town-square", "~off-topic")
    assert query.excluded_channels == ("random",)
    assert query.terms == ()


def test_flag_value_may_be_the_next_word():
    query = parse("from: alice deploy in: town-square")
    assert query.from_users == ("alice",)
    assert query.in_channels == ("town-square",)
    assert query.terms == words("deploy")


def test_flag_without_any_value_is_a_word():
    assert parse("deploy from:").terms == words("deploy", "from")
    assert parse("http://example.com").terms == words("http", "example", "com")
    assert parse("unknown:flag").terms == words("unknown", "flag")


def test_ext_flag_is_not_searched_as_text():
    assert parse("ext:pdf report").terms == words("report")


def test_only_flags_is_not_empty():
    query = parse("from:alice")
    assert not query.is_empty and not query.has_text and query.has_filters


def test_nothing_searchable_is_empty():
    assert parse("!!! *** ---").is_empty
    assert parse("   ").is_empty


def test_dates_and_their_day_boundaries_in_utc():
    query = parse("on:2026-03-04")
    assert query.on_date == date(2026, 3, 4)
    ranges = query.create_at_ranges()
    assert ranges.within == (ms("2026-03-04T00:00:00"), ms("2026-03-05T00:00:00") - 1)
    assert ranges.outside is None


def test_after_and_before_exclude_the_named_day():
    ranges = parse("after:2026-03-04 before:2026-03-10").create_at_ranges()
    assert ranges.within == (ms("2026-03-05T00:00:00"), ms("2026-03-09T00:00:00") + 86_400_000 - 1)


def test_on_overrides_other_dates():
    ranges = parse("after:2026-01-01 on:2026-03-04 -on:2026-03-04").create_at_ranges()
    assert ranges.within == (ms("2026-03-04T00:00:00"), ms("2026-03-05T00:00:00") - 1)
    assert ranges.outside is None


def test_excluded_dates():
    ranges = parse("-after:2026-03-04 -before:2026-03-01 -on:2026-03-02").create_at_ranges()
    assert ranges.within == (ms("2026-03-01T00:00:00"), ms("2026-03-05T00:00:00") - 1)
    assert ranges.outside == (ms("2026-03-02T00:00:00"), ms("2026-03-03T00:00:00") - 1)


def test_time_zone_offset_shifts_day_boundaries():
    # UTC+2: the local day starts two hours earlier in UTC.
    ranges = parse("on:2026-03-04", time_zone_offset=7200).create_at_ranges()
    assert ranges.within == (ms("2026-03-03T22:00:00"), ms("2026-03-04T22:00:00") - 1)
    ranges = parse("on:2026-03-04", time_zone_offset=-5 * 3600).create_at_ranges()
    assert ranges.within[0] == ms("2026-03-04T05:00:00")


def test_single_digit_month_and_day_are_padded():
    assert parse("on:2026-3-4").on_date == date(2026, 3, 4)


def test_repeated_date_flag_keeps_the_last():
    assert parse("after:2026-01-01 after:2026-02-01").after_date == date(2026, 2, 1)


@pytest.mark.parametrize(
    "terms",
    [
        "on:2026-02-30",
        "after:yesterday",
        "before:2026/01/01",
        "on:26-01-01",
        "after:9999-12-31",
        "on:0001-01-01",
        "before:2026-01-01x",
        "on:２０２６-01-01",
    ],
)
def test_bad_dates_are_400(terms):
    with pytest.raises(AppError) as raised:
        parse(terms)
    assert raised.value.status_code == 400
    assert raised.value.id == "api.post.search_posts.invalid_date.app_error"


def test_at_most_max_terms():
    assert len(parse(" ".join(f"word{n}" for n in range(MAX_TERMS))).terms) == MAX_TERMS
    with pytest.raises(AppError) as raised:
        parse(" ".join(f"word{n}" for n in range(MAX_TERMS)) + " #tag")
    assert raised.value.status_code == 400
    assert raised.value.id == "api.post.search_posts.too_many_terms.app_error"
