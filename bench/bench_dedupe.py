"""Benchmark ``votetrail voters link`` on a synthetic voter file, against Splink on its own.

Run from the project root::

    .venv/bin/python bench/bench_dedupe.py                      # 1,000,000 records (~5 min)
    .venv/bin/python bench/bench_dedupe.py --records 100000     # a quicker look

The issue's target: dedupe 1,000,000 records in under 5 minutes end to end on
this machine, within a small factor of the library itself. It writes a voter
file of ``--records`` rows (fixed seed) in which about one person in twelve
is registered twice or three times, with the faults real duplicates carry
(nicknames, typos, a moved address, a mistyped or swapped birth date, missing
e-mail or phone, dates in three layouts), beside households that share a
surname and address and a few pairs of twins. Then it times:

(a) ``votetrail voters link FILE`` in a fresh process, end to end: reading and
    normalising, training, scoring, clustering, printing the pairs;
(b) Splink alone on the same file with a configuration in the style of its
    own examples (``block_on`` rules, the comparison library, u by sampling,
    two EM sessions), reported as the whole run and as ``predict()`` alone.

Each is wall time; (a) also reports the child's peak RSS. Pairwise precision
and recall against the generator's truth are printed for both. It exits 0; with
``--check`` it exits 1 if (a) misses the 5-minute target.
"""

from __future__ import annotations

import argparse
import csv
import logging
import random
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from _record import record
from votetrail.linkage.normalise import VOTER_FIELDS

TARGET_SECONDS = 300.0


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


@dataclass
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


class VoterGenerator:
    """Persons, households and their registrations with realistic faults; fixed seed."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
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

    def _first(self, gender: str) -> str:
        names, cum = (_FEMALE, self.female_cum) if gender == "F" else (_MALE, self.male_cum)
        return self.rng.choices(names, cum_weights=cum)[0]

    def _address(self) -> tuple[str, str, str]:
        rng = self.rng
        city = rng.choice(_CITIES)
        street = (
            f"{rng.randint(1, 9999)} {rng.choice(_STREETS).title()} {rng.choice(_STREET_TYPES)}"
        )
        return street, city, str(self.city_zip[city] + rng.randint(0, 16))

    def _person(self, last: str, address: tuple[str, str, str], born: date) -> Person:
        rng = self.rng
        gender = rng.choice("MF")
        first = self._first(gender)
        middle = self._first(gender) if rng.random() < 0.7 else ""
        suffix = rng.choice(("Jr", "Sr", "III")) if gender == "M" and rng.random() < 0.02 else ""
        email = ""
        if rng.random() < 0.6:
            handle = rng.choice((f"{first}.{last}", f"{first[0]}{last}", f"{first}{last[:3]}"))
            email = f"{handle}{rng.randint(1, 99)}@{rng.choice(_DOMAINS)}"
            while email in self.emails:  # an address belongs to one person
                email = f"{handle}{rng.randint(100, 99999)}@{rng.choice(_DOMAINS)}"
            self.emails.add(email)
        phone = f"{rng.choice((303, 720, 970, 719))}{rng.randint(2000000, 9999999)}"
        if rng.random() < 0.4:
            phone = ""
        return Person(first, middle, last, suffix, born, gender, *address, email, phone)

    def _born(self) -> date:
        return date(1930, 1, 1) + timedelta(days=self.rng.randint(0, 27500))

    def people(self, count: int) -> list[Person]:
        """``count`` persons in households of one to five sharing surname and address."""
        rng = self.rng
        result: list[Person] = []
        while len(result) < count:
            last = rng.choices(self.surnames, cum_weights=self.surname_cum)[0]
            address = self._address()
            size = rng.choices((1, 2, 3, 4, 5), weights=(45, 30, 12, 9, 4))[0]
            parents = self._born()
            for member in range(size):
                if member < 2:  # two adults a few years apart
                    born = parents + timedelta(days=rng.randint(-2500, 2500))
                else:
                    born = parents + timedelta(days=rng.randint(7000, 14000))
                result.append(self._person(last, address, born))
            if size >= 4 and rng.random() < 0.1:  # twins: the last two children share a birthday
                result[-1].born = result[-2].born
        return result[:count]

    def typo(self, text: str) -> str:
        rng = self.rng
        if len(text) < 3:
            return text
        i = rng.randrange(1, len(text) - 1)
        kind = rng.random()
        if kind < 0.33:
            return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
        if kind < 0.66:
            return text[:i] + text[i + 1 :]
        return text[:i] + rng.choice("aeioulnrst") + text[i + 1 :]

    def duplicate(self, person: Person) -> Person:
        """Another registration of the same person, with the faults files carry."""
        rng = self.rng
        copy = Person(**vars(person))
        if rng.random() < 0.25 and copy.first in _NICKNAMES:
            copy.first = rng.choice(_NICKNAMES[copy.first])
        elif rng.random() < 0.15:
            copy.first = self.typo(copy.first)
        if rng.random() < 0.12:
            copy.last = self.typo(copy.last)
        if rng.random() < 0.4:
            copy.middle = copy.middle[:1]
        roll = rng.random()
        if roll < 0.06:
            copy.born = copy.born.replace(day=min(copy.born.day % 28 + 1, 28))
        elif roll < 0.09 and copy.born.day <= 12:
            copy.born = copy.born.replace(month=copy.born.day, day=copy.born.month)
        if rng.random() < 0.35:
            copy.street, copy.city, copy.zip = self._address()  # moved
        elif rng.random() < 0.15:
            copy.street = self.typo(copy.street)
        if rng.random() < 0.4:
            copy.email = ""
        if rng.random() < 0.4:
            copy.phone = ""
        return copy

    def registrations(self, records: int) -> tuple[list[list[str]], list[int]]:
        """Rows in ``COLUMNS`` order (ids opaque, order shuffled) and each row's person."""
        rng = self.rng
        people = self.people(int(records / 1.1) + 1)
        rows: list[tuple[int, Person]] = []
        for index, person in enumerate(people):
            rows.append((index, person))
            if rng.random() < 0.08:
                rows.append((index, self.duplicate(person)))
                if rng.random() < 0.2:
                    rows.append((index, self.duplicate(person)))
        rows = rows[:records]
        rng.shuffle(rows)
        table: list[list[str]] = []
        truth: list[int] = []
        for number, (index, p) in enumerate(rows):
            layout = rng.random()
            if layout < 0.6:
                born = p.born.isoformat()
            elif layout < 0.8:
                born = p.born.strftime("%Y%m%d")
            else:
                born = p.born.strftime("%m/%d/%Y")
            table.append(
                [
                    f"r{number:07d}x{rng.randrange(16**4):04x}",
                    p.first.title(),
                    p.middle.title(),
                    p.last.title(),
                    p.suffix,
                    born,
                    p.gender,
                    p.street,
                    p.city,
                    p.zip,
                    "CO",
                    p.email,
                    p.phone,
                ]
            )
            truth.append(index)
        return table, truth


def write_voter_file(path: Path, records: int, seed: int) -> list[int]:
    """Write the synthetic file; return each row's person (the truth)."""
    rows, truth = VoterGenerator(seed).registrations(records)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(COLUMNS)
        writer.writerows(rows)
    return truth


def precision_recall(
    pairs: Sequence[tuple[str, str]], truth: dict[str, int]
) -> tuple[float, float]:
    sizes = Counter(truth.values())
    true_pairs = sum(n * (n - 1) // 2 for n in sizes.values())
    hits = sum(1 for a, b in pairs if truth[a] == truth[b])
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
    parser.add_argument("--records", type=int, default=1_000_000, help="rows in the voter file")
    parser.add_argument("--seed", type=int, default=2026, help="generator seed")
    parser.add_argument("--check", action="store_true", help="exit 1 if (a) misses the target")
    parser.add_argument("--skip-splink", action="store_true", help="time votetrail only")
    parser.add_argument("--keep", action="store_true", help="keep the generated file")
    args = parser.parse_args(argv)
    if args.records < 2:
        parser.error("need --records >= 2")
    return Options(args.records, args.seed, args.check, args.skip_splink, args.keep)


def run_votetrail(path: Path, output: Path) -> tuple[float, float]:
    """Wall seconds and the child's peak RSS (MB) of the real command in a new process."""
    command = [
        sys.executable,
        "-c",
        "import sys; from votetrail.cli.main import main; sys.argv[0] = 'votetrail'; main()",
        "voters",
        "link",
        str(path),
    ]
    start = time.perf_counter()
    with output.open("w", encoding="utf-8") as handle:
        subprocess.run(command, stdout=handle, check=True)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    return seconds, peak


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
        blocking_rules_to_generate_predictions=[
            block_on("first_name", "last_name"),
            block_on("last_name", "dob"),
            block_on("first_name", "dob"),
            block_on("dob", "zip"),
        ],
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


def main(argv: Sequence[str] | None = None) -> int:
    options = parse_args(argv)
    folder = Path(tempfile.mkdtemp(prefix="bench-dedupe-"))
    path = folder / "voters.csv"
    print(f"Generating {options.records:,} registrations in {path} ...", file=sys.stderr)
    truth_list = write_voter_file(path, options.records, options.seed)
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        truth = {row[0]: person for row, person in zip(reader, truth_list, strict=True)}
    true_pairs = sum(n * (n - 1) // 2 for n in Counter(truth_list).values())

    print("(a) votetrail voters link ...", file=sys.stderr)
    seconds, peak = run_votetrail(path, folder / "pairs.csv")
    ours = read_pairs(folder / "pairs.csv")
    precision, recall = precision_recall(ours, truth)
    ok = seconds < TARGET_SECONDS

    figures: dict[str, object] = {
        "records": options.records,
        "true duplicate pairs": true_pairs,
        "(a) votetrail voters link, s": round(seconds, 1),
        "(a) peak RSS, MB": round(peak),
        "(a) pairs": len(ours),
        "(a) precision": round(precision, 4),
        "(a) recall": round(recall, 4),
    }
    reference: dict[str, object] = {}
    rows = [
        ("records", f"{options.records:,} ({true_pairs:,} true duplicate pairs)", ""),
        ("(a) votetrail voters link, end to end", f"{seconds:.1f} s", "yes" if ok else "no"),
        ("(a) peak RSS of the command", f"{peak:,.0f} MB", ""),
        (
            "(a) pairs printed; precision / recall",
            f"{len(ours):,}; {precision:.4f} / {recall:.4f}",
            "",
        ),
    ]
    if not options.skip_splink:
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
            ("ratio (a) / (b) whole run", f"{seconds / total:.2f}", ""),
        ]
        figures["ratio (a) / (b) whole run"] = round(seconds / total, 2)
        reference = {
            "(b) Splink alone, whole run, s": round(total, 1),
            "(b) Splink predict() alone, s": round(predict, 1),
            "(b) pairs": len(pairs),
            "(b) precision": round(s_precision, 4),
            "(b) recall": round(s_recall, 4),
        }
    print(f"| figure | measured | < {TARGET_SECONDS:.0f} s |")
    print("|---|---|---|")
    for name, value, flag in rows:
        print(f"| {name} | {value} | {flag} |")
    full = options.records >= 1_000_000
    record(
        "bench_dedupe",
        figures,
        target=f"1,000,000 records in < {TARGET_SECONDS:.0f} s end to end",
        met=ok if full else None,
        reference=reference,
        notes="" if full else f"{options.records:,} records: below the target's size, not judged",
        smoke=options.records < 50_000,
    )
    if not options.keep:
        for item in folder.iterdir():
            item.unlink()
        folder.rmdir()
    return 1 if options.check and not ok else 0


if __name__ == "__main__":
    sys.exit(main())
