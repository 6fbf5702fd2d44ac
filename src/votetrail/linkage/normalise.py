"""SQL that turns raw text columns into the comparable forms the model reads.

Normalising happens once, inside DuckDB, so a million-row file is cleaned at
columnar speed rather than row by row in Python; the same expressions serve
files (``read_people``) and rows handed over by the voter service
(``people_from_rows``), so both are matched alike.

Every expression takes the quoted name of a VARCHAR column holding the value
as written and yields NULL for "nothing usable here": a blank cell and an
unreadable date of birth count the same as an absent one.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from votetrail.linkage.nicknames import NAME_SUFFIXES, TITLES

VOTER_FIELDS = (
    "first_name",
    "middle_name",
    "last_name",
    "suffix",
    "dob",
    "gender",
    "street",
    "city",
    "zip",
    "state",
    "email",
    "phone",
)

# Words that mean the same on a street line; a voter writes "Street", a clerk "ST".
_STREET_WORDS = {
    "street": "st",
    "avenue": "ave",
    "av": "ave",
    "road": "rd",
    "drive": "dr",
    "lane": "ln",
    "court": "ct",
    "place": "pl",
    "boulevard": "blvd",
    "highway": "hwy",
    "circuit": "cct",
    "crescent": "cres",
    "terrace": "tce",
    "parkway": "pkwy",
    "apartment": "apt",
    "north": "n",
    "south": "s",
    "east": "e",
    "west": "w",
}
_SUFFIXES = {"junior": "jr", "senior": "sr", "2nd": "ii", "3rd": "iii", "4th": "iv"}


def quote(name: str) -> str:
    """A column name as a DuckDB identifier, whatever characters a file's header used."""
    return '"' + name.replace('"', '""') + '"'


def text(column: str) -> str:
    """Lower case, no accents, single spaces; blank becomes NULL."""
    return f"nullif(trim(regexp_replace(lower(strip_accents({column})), '\\s+', ' ', 'g')), '')"


def name(column: str) -> str:
    """Letters and digits: "O'Brien", "obrien" and "OBRIEN," must compare equal."""
    return (
        "nullif(trim(regexp_replace(regexp_replace("
        f"lower(strip_accents({column})), '''', '', 'g'), '[^a-z0-9]+', ' ', 'g')), '')"
    )


def _without(expression: str, words: Sequence[str]) -> str:
    """The words of a normalised name minus ``words`` and ordinals ("1st"); NULL if none remain."""
    listed = ", ".join(f"'{word}'" for word in words)
    kept = (
        f"list_filter(string_split({expression}, ' '), lambda t: not list_contains([{listed}], t) "
        "and not regexp_full_match(t, '[0-9]+(st|nd|rd|th)?'))"
    )
    return f"nullif(array_to_string({kept}, ' '), '')"


def first_name(column: str) -> str:
    """A given name without "Dr", "Sir" or "Rev" in front: titles say nothing about who it is."""
    return _without(name(column), TITLES)


def last_name(column: str) -> str:
    """A surname without "Jr", "III" or "Esq", which files often type into the surname field."""
    return _without(name(column), NAME_SUFFIXES)


def _words(column: str, words: dict[str, str]) -> str:
    expression = column
    for long, short in words.items():
        expression = f"regexp_replace({expression}, '\\b{long}\\b', '{short}', 'g')"
    return expression


def street(column: str) -> str:
    """Letters and digits, common street words abbreviated the way the USPS does."""
    cleaned = f"trim(regexp_replace(lower(strip_accents({column})), '[^a-z0-9]+', ' ', 'g'))"
    return f"nullif({_words(cleaned, _STREET_WORDS)}, '')"


def suffix(column: str) -> str:
    return _words(name(column), _SUFFIXES)


def gender(column: str) -> str:
    """M, F or X by first letter; anything else ("unknown", "u") carries no evidence."""
    first = f"left(lower(trim({column})), 1)"
    return f"case when {first} in ('m', 'f') then {first} when {first} in ('x', 'n') then 'x' end"


def zip_code(column: str) -> str:
    """Letters and digits only; a nine-digit US ZIP+4 keeps its five-digit ZIP."""
    cleaned = f"regexp_replace(lower({column}), '[^a-z0-9]', '', 'g')"
    return (
        f"nullif(case when regexp_full_match({cleaned}, '[0-9]{{9}}') "
        f"then left({cleaned}, 5) else {cleaned} end, '')"
    )


def phone(column: str) -> str:
    """The last ten digits, so "+1 (303) 555-0100" equals "3035550100"; short numbers are noise."""
    digits = f"regexp_replace({column}, '[^0-9]', '', 'g')"
    return f"case when length({digits}) >= 7 then right({digits}, 10) end"


def email(column: str) -> str:
    cleaned = f"lower(trim({column}))"
    return f"case when contains({cleaned}, '@') then {cleaned} end"


_DOB_LAYOUTS = (
    # (pattern, order of the year, month and day groups)
    ("^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})(?:[ T].*)?$", ("y", "m", "d")),
    ("^([0-9]{4})([0-9]{2})([0-9]{2})$", ("y", "m", "d")),
    ("^([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})(?: .*)?$", ("m", "d", "y")),
)


def dob(column: str) -> str:
    """``YYYY-MM-DD`` from any of the accepted layouts, or NULL.

    A value in a known layout keeps its digits even when the month or day is
    out of range (``1856-86-18``): it is a typing slip of a real date, and the
    model's edit-distance level still credits it against ``1856-06-18``.
    """
    value = f"trim({column})"
    cases = []
    for pattern, order in _DOB_LAYOUTS:
        parts = f"regexp_extract({value}, '{pattern}', {list(order)!r})"
        formatted = f"{parts}.y || '-' || lpad({parts}.m, 2, '0') || '-' || lpad({parts}.d, 2, '0')"
        cases.append(f"when regexp_matches({value}, '{pattern}') then {formatted}")
    return "case " + " ".join(cases) + " end"


def phonetic(column: str) -> str:
    """A Soundex-like key of an already normalised name, for blocking only.

    First letter kept, consonants grouped by sound (b/f/p/v, c/g/j/k/q/s/x/z,
    d/t, l, m/n, r), vowels dropped, repeated groups collapsed, four
    characters. Plain SQL, so it costs nothing per row; it groups
    "smith"/"smyth" and "catherine"/"kathryn"'s tails, which edit-distance
    blocking cannot.
    """
    word = f"split_part({column}, ' ', 1)"
    coded = f"translate(substr({word}, 2), 'bfpvcgjkqsxzdtlmnr', '111122222222334556')"
    coded = f"regexp_replace({coded}, '[^0-9]', '', 'g')"
    for digit in "123456":
        coded = f"regexp_replace({coded}, '{digit}+', '{digit}', 'g')"
    return f"nullif(left(left({word}, 1) || {coded} || '000', 4), '000')"


FIELD_CLEANERS: dict[str, Callable[[str], str]] = {
    "first_name": first_name,
    "middle_name": name,
    "last_name": last_name,
    "suffix": suffix,
    "dob": dob,
    "gender": gender,
    "street": street,
    "city": name,
    "zip": zip_code,
    "state": name,
    "email": email,
    "phone": phone,
}
