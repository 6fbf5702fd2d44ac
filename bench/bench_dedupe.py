"""Benchmark ``votetrail voters link`` on a synthetic voter file, against Splink on its own.

Run from the project root::

    .venv/bin/python bench/bench_dedupe.py                      # 1,000,000 records
    .venv/bin/python bench/bench_dedupe.py --records 10000000   # a large state's list
    .venv/bin/python bench/bench_dedupe.py --records 100000     # a quicker look

Two targets: 1,000,000 records in under 5 minutes end to end within a small
factor of the library itself (issue 6), and, from 5,000,000 records on,
10,000,000 records in under 10 minutes and 12 GiB peak memory on this machine
(issue 21). It writes a voter file of ``--records`` rows (fixed seed, streamed
to disk so 10,000,000 rows fit) in which about one person in twelve is
registered twice or three times, with the faults real duplicates carry
(nicknames, typos, a moved address, a mistyped or swapped birth date, missing
e-mail or phone, dates in three layouts), beside households that share a
surname and address and a few pairs of twins. Then it times:

(a) ``votetrail voters link FILE`` in a fresh process, end to end: reading and
    normalising, training, scoring, clustering, printing the pairs, with the
    child's peak RSS and the seconds of each step (the command logs them);
(b) Splink alone on the same file with a configuration in the style of its
    own examples (``block_on`` rules, the comparison library, u by sampling,
    two EM sessions), reported as the whole run and as ``predict()`` alone.
    Above 2,000,000 records (b) is not run: its name blocking grows with the
    square of the file. The run prints how many pairs it would make, and the
    reference is the last 1,000,000-record run's ratio.

Wall times come with the machine's load before and after (a). Pairwise
precision and recall against the generator's truth are printed for both. It
exits 0; with ``--check`` it exits 1 if (a) misses its target.
"""

from __future__ import annotations

import argparse
import csv
import json
import logging
import os
import pickle
import random
import re
import resource
import subprocess
import sys
import tempfile
import time
from array import array
from bisect import bisect
from collections import Counter
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from _record import RESULTS, record
from votetrail.linkage.normalise import VOTER_FIELDS

TARGET_SECONDS = 300.0
LARGE = 5_000_000  # from here on, the state-size target
LARGE_TARGET_SECONDS = 600.0
LARGE_TARGET_MB = 12 * 1024
SPLINK_MAX = 2_000_000
"""Above this Splink alone is not run: its name blocking grows with the square of the file."""
_SPLINK_RULES = (
    ("first_name", "last_name"),
    ("last_name", "dob"),
    ("first_name", "dob"),
    ("dob", "zip"),
)


def _words(text: str) -> list[str]:
    return text.split()


COLUMNS = ("id", *VOTER_FIELDS)

_FEMALE = _words(
    "mary patricia jennifer linda elizabeth barbara susan jessica sarah karen lisa nancy "
    "betty margaret sandra ashley kimberly emily donna michelle carol amanda dorothy melissa "
    "deborah stephanie rebecca sharon laura cynthia kathleen amy angela shirley anna brenda "
    "pamela emma nicole helen samantha katherine christine debra rachel carolyn janet "
    "catherine maria heather diane ruth julie olivia joyce virginia victoria kelly lauren "
    "christina joan evelyn judith megan andrea cheryl hannah jacqueline martha gloria teresa "
    "ann sara madison frances kathryn janice jean abigail alice judy sophia grace denise "
    "amber doris marilyn danielle beverly isabella theresa diana natalie brittany charlotte "
    "marie kayla alexis lori"
)
_MALE = _words(
    "james robert john michael david william richard joseph thomas christopher charles daniel "
    "matthew anthony mark donald steven paul andrew joshua kenneth kevin brian george timothy "
    "ronald edward jason jeffrey ryan jacob gary nicholas eric jonathan stephen larry justin "
    "scott brandon benjamin samuel gregory alexander frank patrick raymond jack dennis jerry "
    "tyler aaron jose adam nathan henry douglas zachary peter kyle ethan walter noah jeremy "
    "christian keith roger terry gerald harold sean austin carl arthur lawrence dylan jesse "
    "jordan bryan billy joe bruce gabriel logan albert willie alan juan wayne elijah randy "
    "roy vincent ralph eugene russell bobby mason philip louis"
)
_SURNAMES = _words(
    "smith johnson williams brown jones garcia miller davis rodriguez martinez hernandez "
    "lopez gonzalez wilson anderson thomas taylor moore jackson martin lee perez thompson "
    "white harris sanchez clark ramirez lewis robinson walker young allen king wright scott "
    "torres nguyen hill flores green adams nelson baker hall rivera campbell mitchell carter "
    "roberts gomez phillips evans turner diaz parker cruz edwards collins reyes stewart "
    "morris morales murphy cook rogers gutierrez ortiz morgan cooper peterson bailey reed "
    "kelly howard ramos kim cox ward richardson watson brooks chavez wood james bennett gray "
    "mendoza ruiz hughes price alvarez castillo sanders patel myers long ross foster jimenez "
    "powell jenkins perry russell sullivan bell coleman butler henderson barnes gonzales "
    "fisher vasquez simmons romero jordan patterson alexander hamilton graham reynolds "
    "griffin wallace moreno west cole hayes bryant herrera gibson ellis tran medina aguilar "
    "stevens murray ford castro marshall owens harrison fernandez mcdonald woods washington "
    "kennedy wells vargas henry chen freeman webb tucker guzman burns crawford olson simpson "
    "porter hunter gordon mendez silva shaw snyder mason dixon munoz hunt hicks holmes palmer "
    "wagner black robertson boyd rose stone salazar fox warren mills meyer rice schmidt garza "
    "daniels ferguson nichols stephens soto weaver ryan gardner payne grant dunn kelley "
    "spencer hawkins arnold pierce"
)
_SYLLABLES = _words(
    "al an ar ba be bo bran ca car da del don el en er fa fer ga gil ha har in ka kel la lan "
    "lin ma mar mel mo na nel no or pa per ra ren ro sa sel son sta ta ten to va ver wa wil "
    "win ya zan"
)
_ENDINGS = ("son", "ton", "berg", "ley", "man", "er", "ez", "ski", "ford", "well", "s", "")
_STREETS = _words(
    "main oak pine maple cedar elm washington lake hill park walnut sunset lincoln jackson "
    "highland spruce river church willow meadow forest ridge spring valley mill cherry center "
    "jefferson madison franklin adams birch aspen juniper colorado lakeview hickory dogwood "
    "magnolia chestnut sycamore prairie canyon mesa summit vista hilltop orchard grove"
)
_STREET_TYPES = ("St", "Ave", "Rd", "Dr", "Ln", "Ct", "Pl", "Blvd", "Way", "Cir")
_CITIES = _words(
    "Denver Aurora Lakewood Boulder Pueblo Arvada Westminster Greeley Longmont Loveland "
    "Broomfield Castle Rock Parker Littleton Brighton Erie Golden Durango Montrose Canon "
    "Sterling Alamosa Salida Delta Gunnison Trinidad Craig Rifle Fruita Windsor"
)
_DOMAINS = ("gmail.com", "yahoo.com", "outlook.com", "hotmail.com", "aol.com", "icloud.com")
_EPOCH = date(1930, 1, 1)
_HOUSEHOLD_CUM = (45, 75, 87, 96, 100)  # sizes 1 to 5, in percent
_NICKNAMES = {
    "william": ("bill", "will", "billy"),
    "robert": ("bob", "rob", "bobby"),
    "richard": ("rick", "dick", "rich"),
    "james": ("jim", "jimmy"),
    "john": ("jack", "johnny"),
    "michael": ("mike",),
    "thomas": ("tom", "tommy"),
    "joseph": ("joe",),
    "christopher": ("chris",),
    "daniel": ("dan", "danny"),
    "elizabeth": ("liz", "beth", "betty"),
    "margaret": ("maggie", "peggy"),
    "katherine": ("kate", "kathy"),
    "jennifer": ("jen", "jenny"),
    "patricia": ("pat", "patty"),
    "susan": ("sue",),
    "deborah": ("debbie", "deb"),
    "rebecca": ("becky",),
    "anthony": ("tony",),
    "edward": ("ed", "eddie"),
    "samantha": ("sam",),
    "nicholas": ("nick",),
    "benjamin": ("ben",),
    "alexander": ("alex",),
    "matthew": ("matt",),
    "steven": ("steve",),
    "timothy": ("tim",),
    "kenneth": ("ken",),
    "gregory": ("greg",),
}


@dataclass(slots=True)
class Person:
    first: str
    middle: str
    last: str
    suffix: str
    born: date
    gender: str
    street: str
    city: str
    zip: str
    email: str
    phone: str


def _zipf_cum(count: int, exponent: float = 1.0) -> list[float]:
    total = 0.0
    cum = []
    for rank in range(1, count + 1):
        total += 1 / rank**exponent
        cum.append(total)
    return cum


_ROWS_PER_BUCKET = 250_000  # rows shuffled in memory at once while writing the file
_CHUNK = 20_000  # rows per pickle in a bucket file


class VoterGenerator:
    """Persons, households and their registrations with realistic faults; fixed seed.

    Draws go through ``random()`` directly (``randint`` and ``choice`` cost
    several times more in Python), because at 10,000,000 rows the generator
    would otherwise take longer than the run it feeds.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.random = self.rng.random
        rng = self.rng
        # Common names follow Zipf; the long tail of surnames is made of syllables.
        tail = {
            (rng.choice(_SYLLABLES) + rng.choice(_SYLLABLES) + rng.choice(_ENDINGS)).lower()
            for _ in range(60000)
        }
        self.surnames = _SURNAMES + sorted(tail - set(_SURNAMES))
        self.surname_cum = _zipf_cum(len(self.surnames), 0.75)
        self.female_cum = _zipf_cum(len(_FEMALE), 0.9)
        self.male_cum = _zipf_cum(len(_MALE), 0.9)
        self.city_zip = {city: 80000 + 17 * index for index, city in enumerate(_CITIES)}
        self.emails: set[str] = set()
        self.streets = [name.title() for name in _STREETS]

    def _pick(self, items: Sequence[str]) -> str:
        return items[int(self.random() * len(items))]

    def _between(self, low: int, high: int) -> int:
        return low + int(self.random() * (high - low + 1))

    def _weighted(self, items: Sequence[str], cum: list[float]) -> str:
        return items[bisect(cum, self.random() * cum[-1])]

    def _first(self, gender: str) -> str:
        if gender == "F":
            return self._weighted(_FEMALE, self.female_cum)
        return self._weighted(_MALE, self.male_cum)

    def _address(self) -> tuple[str, str, str]:
        city = self._pick(_CITIES)
        street = f"{self._between(1, 9999)} {self._pick(self.streets)} {self._pick(_STREET_TYPES)}"
        return street, city, str(self.city_zip[city] + self._between(0, 16))

    def _person(self, last: str, address: tuple[str, str, str], born: date) -> Person:
        random = self.random
        gender = "M" if random() < 0.5 else "F"
        first = self._first(gender)
        middle = self._first(gender) if random() < 0.7 else ""
        suffix = self._pick(("Jr", "Sr", "III")) if gender == "M" and random() < 0.02 else ""
        email = ""
        if random() < 0.6:
            handle = self._pick((f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[:3]}"))
            email = f"{handle}{self._between(1, 99)}@{self._pick(_DOMAINS)}"
            while email in self.emails:  # an address belongs to one person
                email = f"{handle}{self._between(100, 99999)}@{self._pick(_DOMAINS)}"
            self.emails.add(email)
        phone = f"{self._pick(('303', '720', '970', '719'))}{self._between(2000000, 9999999)}"
        if random() < 0.4:
            phone = ""
        return Person(first, middle, last, suffix, born, gender, *address, email, phone)

    def _born(self) -> date:
        return _EPOCH + timedelta(days=self._between(0, 27500))

    def households(self) -> Iterator[list[Person]]:
        """Endless households of one to five persons sharing surname and address."""
        random = self.random
        while True:
            last = self._weighted(self.surnames, self.surname_cum)
            address = self._address()
            size = (1, 2, 3, 4, 5)[bisect(_HOUSEHOLD_CUM, random() * 100)]
            parents = self._born()
            members = []
            for member in range(size):
                if member < 2:  # two adults a few years apart
                    born = parents + timedelta(days=self._between(-2500, 2500))
                else:
                    born = parents + timedelta(days=self._between(7000, 14000))
                members.append(self._person(last, address, born))
            if size >= 4 and random() < 0.1:  # twins: the last two children share a birthday
                members[-1].born = members[-2].born
            yield members

    def people(self, count: int) -> list[Person]:
        """``count`` persons in households (for tests; the file is written from a stream)."""
        result: list[Person] = []
        for household in self.households():
            result += household
            if len(result) >= count:
                return result[:count]
        raise AssertionError("unreachable")

    def typo(self, text: str) -> str:
        if len(text) < 3:
            return text
        i = self._between(1, len(text) - 2)
        kind = self.random()
        if kind < 0.33:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if kind < 0.66:
            return text[:i] + text[i + 1 :]
        return text[:i] + self._pick("aeioulnrst") + text[i + 1 :]

    def duplicate(self, person: Person) -> Person:
        """Another registration of the same person, with the faults files carry."""
        random = self.random
        copy = Person(*(getattr(person, name) for name in Person.__slots__))
        if random() < 0.25 and copy.first in _NICKNAMES:
            copy.first = self._pick(_NICKNAMES[copy.first])
        elif random() < 0.15:
            copy.first = self.typo(copy.first)
        if random() < 0.12:
            copy.last = self.typo(copy.last)
        if random() < 0.4:
            copy.middle = copy.middle[:1]
        roll = random()
        if roll < 0.06:
            copy.born = copy.born.replace(day=min(copy.born.day % 28 + 1, 28))
        elif roll < 0.09 and copy.born.day <= 12:
            copy.born = copy.born.replace(month=copy.born.day, day=copy.born.month)
        if random() < 0.35:
            copy.street, copy.city, copy.zip = self._address()  # moved
        elif random() < 0.15:
            copy.street = self.typo(copy.street)
        if random() < 0.4:
            copy.email = ""
        if random() < 0.4:
            copy.phone = ""
        return copy

    def _cells(self, person: Person) -> tuple[str, ...]:
        """A registration's cells after the id, its date in one of three layouts."""
        layout = self.random()
        born = person.born
        if layout < 0.6:
            text = born.isoformat()
        elif layout < 0.8:
            text = f"{born.year:04d}{born.month:02d}{born.day:02d}"
        else:
            text = f"{born.month:02d}/{born.day:02d}/{born.year:04d}"
        return (
            person.first.title(),
            person.middle.title(),
            person.last.title(),
            person.suffix,
            text,
            person.gender,
            person.street,
            person.city,
            person.zip,
            "CO",
            person.email,
            person.phone,
        )

    def registrations(self, records: int) -> tuple[list[list[str]], list[int]]:
        """Rows in ``COLUMNS`` order (ids opaque, order shuffled) and each row's person.

        In memory, for tests; the file is written from :meth:`stream`.
        """
        rows = list(self.stream(records))
        self.rng.shuffle(rows)
        table = [
            [_record_id(number, self.random()), *cells] for number, (_, cells) in enumerate(rows)
        ]
        return table, [person for person, _ in rows]

    def stream(self, records: int) -> Iterator[tuple[int, tuple[str, ...]]]:
        """Each registration's person and cells after the id, in the order persons were made."""
        random = self.random
        made = 0
        person_index = 0
        for household in self.households():
            for person in household:
                copies = [person]
                if random() < 0.08:
                    copies.append(self.duplicate(person))
                    if random() < 0.2:
                        copies.append(self.duplicate(person))
                for copy in copies:
                    yield person_index, self._cells(copy)
                    made += 1
                    if made == records:
                        return
                person_index += 1


def _record_id(number: int, draw: float) -> str:
    """An opaque id that still names its row (``row_of``), for looking up the truth."""
    return f"r{number:07d}x{int(draw * 65536):04x}"


def write_voter_file(path: Path, records: int, seed: int) -> array[int]:
    """Write the synthetic file, rows in random order; return each row's person (the truth).

    The rows are dealt into temporary buckets at random and each bucket is
    shuffled in memory and written out in turn, which is a uniform shuffle of
    the whole file without holding it: 10,000,000 rows as Python lists would
    take more memory than the run being measured.
    """
    generator = VoterGenerator(seed)
    buckets = max(1, -(-records // _ROWS_PER_BUCKET))
    truth: array[int] = array("i")
    with tempfile.TemporaryDirectory(prefix="voters-", dir=path.parent) as spill:
        files = [(Path(spill) / f"{index}.bin").open("w+b") for index in range(buckets)]
        pending: list[list[tuple[int, tuple[str, ...]]]] = [[] for _ in range(buckets)]
        for row in generator.stream(records):
            index = int(generator.random() * buckets)
            bucket = pending[index]
            bucket.append(row)
            if len(bucket) >= _CHUNK:
                pickle.dump(bucket, files[index], pickle.HIGHEST_PROTOCOL)
                bucket.clear()
        generator.emails.clear()
        number = 0
        with path.open("w", encoding="utf-8", newline="") as handle:
            # Every cell comes from the word lists above, letters and digits: none holds a
            # comma, quote or line break, so a joined line is the CSV row (and an order of
            # magnitude faster than a writer at this size).
            handle.write(",".join(COLUMNS) + "\n")
            for handle_in, rest in zip(files, pending, strict=True):
                handle_in.seek(0)
                rows = []
                while True:
                    try:
                        rows += pickle.load(handle_in)  # noqa: S301 - our own file, just written
                    except EOFError:
                        break
                handle_in.close()
                rows += rest
                generator.rng.shuffle(rows)
                random = generator.random
                lines = []
                for person, cells in rows:
                    lines.append(f"{_record_id(number, random())},{','.join(cells)}\n")
                    truth.append(person)
                    number += 1
                handle.writelines(lines)
    return truth


def row_of(record_id: str) -> int:
    """The row an id names (``r<row>x<noise>``), where its truth is kept."""
    return int(record_id[1 : record_id.index("x")])


def precision_recall(pairs: Sequence[tuple[str, str]], truth: Sequence[int]) -> tuple[float, float]:
    sizes = Counter(truth)
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    hits = sum(1 for a, b in pairs if truth[row_of(a)] == truth[row_of(b)])
    return hits / max(len(pairs), 1), hits / max(true_pairs, 1)


@dataclass(frozen=True)
class Options:
    records: int
    seed: int
    check: bool
    skip_splink: bool
    keep: bool


def parse_args(argv: Sequence[str] | None) -> Options:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--records",
        type=int,
        default=1_000_000,
        help=f"rows in the voter file; from {LARGE:,} on the 10M target applies",
    )
    parser.add_argument("--seed", type=int, default=2026, help="generator seed")
    parser.add_argument("--check", action="store_true", help="exit 1 if (a) misses the target")
    parser.add_argument(
        "--skip-splink",
        action="store_true",
        help=f"time votetrail only (always, above {SPLINK_MAX:,} records)",
    )
    parser.add_argument(
        "--keep",
        action="store_true",
        help="keep the generated file (in the temporary folder, named by records and seed) "
        "and use it again on the next --keep run with the same records and seed",
    )
    args = parser.parse_args(argv)
    if args.records < 2:
        parser.error("need --records >= 2")
    return Options(args.records, args.seed, args.check, args.skip_splink, args.keep)


@dataclass(frozen=True)
class Run:
    """One run of the command: wall time, the child's peak memory, and its steps' seconds."""

    seconds: float
    peak_mb: float
    phases: dict[str, float]


_PHASE = re.compile(r"phase ([a-z ]+): ([0-9.]+) s$")


def run_votetrail(path: Path, output: Path) -> Run:
    """The real command in a new process, with its steps' timings turned on (stderr)."""
    command = [
        sys.executable,
        "-c",
        "import logging, sys; logging.getLogger('votetrail.linkage').setLevel(logging.INFO); "
        "from votetrail.cli.main import main; sys.argv[0] = 'votetrail'; main()",
        "voters",
        "link",
        str(path),
    ]
    start = time.perf_counter()
    with output.open("w", encoding="utf-8") as handle:
        done = subprocess.run(command, stdout=handle, stderr=subprocess.PIPE, text=True)
    seconds = time.perf_counter() - start
    if done.returncode:
        sys.stderr.write(done.stderr)
        raise SystemExit(f"votetrail voters link failed (exit {done.returncode})")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    phases: dict[str, float] = {}
    for line in done.stderr.splitlines():
        found = _PHASE.search(line)
        if found:
            phases[found.group(1)] = phases.get(found.group(1), 0.0) + float(found.group(2))
        elif line.strip():
            print(line, file=sys.stderr)
    phases["start-up and write"] = max(seconds - sum(phases.values()), 0.0)
    return Run(seconds, peak, phases)


def splink_blocked_pairs(path: Path) -> int:
    """Pairs Splink's own four blocking rules (below) would make: why it is not run at 10M.

    Counted from group sizes (an upper bound: a pair two rules both block is
    counted twice), without making them.
    """
    import duckdb

    con = duckdb.connect()
    con.execute("set enable_progress_bar = false")
    con.execute(
        "create table people as select lower(first_name) as first_name, "
        "lower(last_name) as last_name, zip, "
        "coalesce(try_strptime(dob, '%Y-%m-%d'), try_strptime(dob, '%Y%m%d'), "
        f"try_strptime(dob, '%m/%d/%Y'))::date as dob from read_csv('{path}', all_varchar = true)"
    )
    total = 0
    for columns in _SPLINK_RULES:
        present = " and ".join(f"{column} is not null" for column in columns)
        [(count,)] = con.sql(
            "select coalesce(sum(n * (n - 1) // 2), 0) from (select count(*) as n from people "
            f"where {present} group by {', '.join(columns)})"
        ).fetchall()
        total += int(count)
    con.close()
    return total


def read_pairs(path: Path) -> list[tuple[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        assert header == ["left_id", "right_id", "match_probability"], header
        return [(row[0], row[1]) for row in reader]


def run_splink(path: Path) -> tuple[float, float, list[tuple[str, str]]]:
    """Splink on its own, configured the way its examples are; (whole run, predict) seconds."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    logging.getLogger("splink").setLevel(logging.ERROR)
    start = time.perf_counter()
    con = duckdb.connect()
    con.execute(f"create table voters as select * from read_csv('{path}', all_varchar = true) ")
    con.execute(
        "create table people as select id as unique_id, lower(first_name) as first_name, "
        "lower(last_name) as last_name, "
        "coalesce(try_strptime(dob, '%Y-%m-%d'), try_strptime(dob, '%Y%m%d'), "
        "try_strptime(dob, '%m/%d/%Y'))::date as dob, lower(city) as city, zip, "
        "lower(email) as email, lower(street) as street from voters"
    )
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in _SPLINK_RULES],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("last_name"),
            cl.DateOfBirthComparison("dob", input_is_string=False),
            cl.ExactMatch("city").configure(term_frequency_adjustments=True),
            cl.ExactMatch("zip"),
            cl.EmailComparison("email"),
            cl.LevenshteinAtThresholds("street", 2),
        ],
    )
    db_api = DuckDBAPI(con)
    linker = Linker(db_api.register("people"), settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "last_name", "dob")], recall=0.7
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1.5e6, seed=1)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "last_name")
    )
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    predict_start = time.perf_counter()
    predictions = linker.inference.predict(threshold_match_probability=0.9)
    predict_seconds = time.perf_counter() - predict_start
    clusters = linker.clustering.cluster_pairwise_predictions_at_threshold(predictions, 0.9)
    rows = con.sql(f"select cluster_id, unique_id from {clusters.physical_name}").fetchall()
    total = time.perf_counter() - start
    groups: dict[str, list[str]] = {}
    for cluster, unique_id in rows:
        groups.setdefault(str(cluster), []).append(str(unique_id))
    pairs = [(a, b) for ids in groups.values() for i, a in enumerate(ids) for b in ids[i + 1 :]]
    return total, predict_seconds, pairs


def _kept_file(folder: Path) -> array[int] | None:
    """The truth of a file an earlier ``--keep`` run left whole, if there is one."""
    if not (folder / "voters.csv").exists() or not (folder / "truth.bin").exists():
        return None
    truth: array[int] = array("i")
    truth.frombytes((folder / "truth.bin").read_bytes())
    print(f"Using the kept file {folder / 'voters.csv'} ...", file=sys.stderr)
    return truth


def _size_label(records: int) -> str:
    """``10m`` for 10,000,000: the results file of a large run, beside the 1M one."""
    if records >= 1_000_000:
        return f"{records // 1_000_000}m"
    return f"{records // 1000}k"


def _load() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.1f} / {five:.1f} (1 / 5 min) on {os.cpu_count()} cores"


def _reference_at_one_million() -> dict[str, object]:
    """The last 1,000,000-record run's figures: the reference when Splink alone is not run."""
    path = RESULTS / "bench_dedupe.json"
    if not path.exists():
        return {}
    body = json.loads(path.read_text(encoding="utf-8"))
    if body.get("figures", {}).get("records") != 1_000_000:
        return {}
    figures, reference = body["figures"], body.get("reference", {})
    found: dict[str, object] = {"1M run": f"{body['date']}, load {body['machine']['load_1m']}"}
    for key in ("(a) votetrail voters link, s", "ratio (a) / (b) whole run"):
        if key in figures:
            found[f"1M {key}"] = figures[key]
    if "(b) Splink alone, whole run, s" in reference:
        found["1M (b) Splink alone, whole run, s"] = reference["(b) Splink alone, whole run, s"]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    large = options.records >= LARGE
    if options.keep:
        folder = Path(tempfile.gettempdir()) / f"bench-dedupe-{options.records}-{options.seed}"
        folder.mkdir(exist_ok=True)
    else:
        folder = Path(tempfile.mkdtemp(prefix="bench-dedupe-"))
    path = folder / "voters.csv"
    generate_start = time.perf_counter()
    truth = _kept_file(folder) if options.keep else None
    reused = truth is not None
    if truth is None:
        print(f"Generating {options.records:,} registrations in {path} ...", file=sys.stderr)
        truth = write_voter_file(path, options.records, options.seed)
        (folder / "truth.bin").write_bytes(truth.tobytes())  # written last: the file is whole
    generate_seconds = time.perf_counter() - generate_start
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth).values())

    print(f"(a) votetrail voters link ... (load {_load()})", file=sys.stderr)
    load_before = _load()
    run = run_votetrail(path, folder / "pairs.csv")
    load_after = _load()
    ours = read_pairs(folder / "pairs.csv")
    precision, recall = precision_recall(ours, truth)
    if large:
        ok = run.seconds < LARGE_TARGET_SECONDS and run.peak_mb < LARGE_TARGET_MB
        target = (
            f"{options.records:,} records in < {LARGE_TARGET_SECONDS:.0f} s and "
            f"< {LARGE_TARGET_MB / 1024:.0f} GiB peak"
        )
    else:
        ok = run.seconds < TARGET_SECONDS
        target = f"1,000,000 records in < {TARGET_SECONDS:.0f} s end to end"

    figures: dict[str, object] = {
        "records": options.records,
        "true duplicate pairs": true_pairs,
        "(a) votetrail voters link, s": round(run.seconds, 1),
        "(a) peak RSS, MB": round(run.peak_mb),
        "(a) pairs": len(ours),
        "(a) precision": round(precision, 4),
        "(a) recall": round(recall, 4),
        "load during (a), before / after": f"{load_before}; {load_after}",
        "generating the file (not timed), s": None if reused else round(generate_seconds, 1),
    }
    reference: dict[str, object] = {}
    rows = [
        ("records", f"{options.records:,} ({true_pairs:,} true duplicate pairs)", ""),
        (
            "generating the file (not timed)",
            "kept from an earlier --keep run" if reused else f"{generate_seconds:.1f} s",
            "",
        ),
        ("(a) votetrail voters link, end to end", f"{run.seconds:.1f} s", "yes" if ok else "no"),
        ("(a) peak RSS of the command", f"{run.peak_mb:,.0f} MB", ""),
        (
            "(a) pairs printed; precision / recall",
            f"{len(ours):,}; {precision:.4f} / {recall:.4f}",
            "",
        ),
        ("(a) load before / after", f"{load_before}; {load_after}", ""),
    ]
    rows += [(f"(a) step: {name}", f"{seconds:.1f} s", "") for name, seconds in run.phases.items()]
    notes = ""
    if not options.skip_splink and options.records <= SPLINK_MAX:
        print("(b) Splink alone ...", file=sys.stderr)
        total, predict, pairs = run_splink(path)
        s_precision, s_recall = precision_recall(pairs, truth)
        rows += [
            ("(b) Splink alone, whole run", f"{total:.1f} s", ""),
            ("(b) Splink predict() alone", f"{predict:.1f} s", ""),
            (
                "(b) pairs; precision / recall",
                f"{len(pairs):,}; {s_precision:.4f} / {s_recall:.4f}",
                "",
            ),
            ("ratio (a) / (b) whole run", f"{run.seconds / total:.2f}", ""),
        ]
        figures["ratio (a) / (b) whole run"] = round(run.seconds / total, 2)
        reference = {
            "(b) Splink alone, whole run, s": round(total, 1),
            "(b) Splink predict() alone, s": round(predict, 1),
            "(b) pairs": len(pairs),
            "(b) precision": round(s_precision, 4),
            "(b) recall": round(s_recall, 4),
        }
    elif options.records > SPLINK_MAX:
        blocked = splink_blocked_pairs(path)
        notes = (
            f"(b) Splink alone not run at {options.records:,} records: its four blocking rules "
            f"would make up to {blocked:,} pairs ({blocked / options.records:,.0f} per record), "
            "growing with the square of the file; the reference is the last 1,000,000-record run"
        )
        rows.append(("(b) Splink alone", "not run: " + notes.split(": ", 1)[1], ""))
        reference = {"(b) Splink alone, blocked pairs (not run)": blocked}
        reference.update(_reference_at_one_million())
        for name, value in reference.items():
            rows.append((f"reference: {name}", str(value), ""))
    print(f"| figure | measured | {target} |")
    print("|---|---|---|")
    for name, value, flag in rows:
        print(f"| {name} | {value} | {flag} |")
    shortfall = ""
    profile: dict[str, object] = {}
    if not ok:
        missed = []
        limit_seconds = LARGE_TARGET_SECONDS if large else TARGET_SECONDS
        if run.seconds >= limit_seconds:
            missed.append(f"{run.seconds / limit_seconds:.2f}x short of {limit_seconds:.0f} s")
        if large and run.peak_mb >= LARGE_TARGET_MB:
            missed.append(f"peak {run.peak_mb / LARGE_TARGET_MB:.2f}x the {LARGE_TARGET_MB} MB")
        shortfall = "; ".join(missed) + f" (load {load_before} before, {load_after} after)"
        profile = {
            name: round(seconds, 1)
            for name, seconds in sorted(run.phases.items(), key=lambda item: -item[1])
        }
    full = options.records >= 1_000_000
    if not full:
        notes = f"{options.records:,} records: below the target's size, not judged"
    record(
        "bench_dedupe" + (f"-{_size_label(options.records)}" if large else ""),
        figures,
        target=target,
        met=ok if full else None,
        reference=reference,
        notes=notes,
        shortfall=shortfall if full else "",
        profile=profile if full else None,
        smoke=options.records < 50_000,
    )
    if not options.keep:
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()
    else:
        (folder / "pairs.csv").unlink()
    return 1 if options.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
