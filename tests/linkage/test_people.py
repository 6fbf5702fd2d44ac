"""Reading person records: layouts, column mapping, normalising and refusing bad input."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from votetrail.errors import InvalidInput
from votetrail.linkage import People, people_from_rows, read_people


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def column(people: People, name: str) -> list[object]:
    return list(people.table.column(name).to_pylist())


def test_dates_of_birth_in_the_common_layouts(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.csv",
        "id,dob\n"
        "a,1980-03-07\nb,19800307\nc,03/07/1980\nd,3/7/1980\ne,1980-3-7\n"
        "f,1980-03-07 00:00:00\ng,1856-86-18\nh,yesterday\ni,\nj,-0050-01-0\n",
    )
    people = read_people(path)
    assert column(people, "dob") == [
        "1980-03-07",
        "1980-03-07",
        "1980-03-07",
        "1980-03-07",
        "1980-03-07",
        "1980-03-07",
        "1856-86-18",  # a typo in a known layout is kept for the edit-distance level
        None,
        None,
        None,
    ]


def test_a_dob_column_with_no_readable_date_is_refused_without_showing_values(
    tmp_path: Path,
) -> None:
    path = write(tmp_path / "people.csv", "id,born\na,07.03.1980\nb,1980/03/07\n")
    with pytest.raises(InvalidInput) as caught:
        read_people(path, mapping={"dob": "born"})
    message = str(caught.value)
    assert "'born'" in message
    assert str(path) in message
    assert "1980" not in message.replace(str(path), "")


def test_like_named_columns_maps_and_extras(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.csv",
        "rec,given,surname,dob,city,birth place,shoe size\n"
        "r1, Dr. Mary-Ann ,O'Brien Jr.,1990-01-02,Denver,Boulder County,9\n",
    )
    people = read_people(
        path,
        id_column="rec",
        mapping={"first_name": "given", "last_name": "surname"},
        extras=["birth place"],
    )
    assert people.fields == ("first_name", "last_name", "dob", "city")
    assert people.extras == ("birth place",)
    [row] = people.table.to_pylist()
    assert row["id"] == "r1"
    assert row["first_name"] == "mary ann"
    assert row["last_name"] == "obrien"
    assert row["city"] == "denver"
    assert row[people.extra_column("birth place")] == "boulder county"
    assert "shoe size" not in people.table.column_names


def test_febrl_layout_with_spaces_after_commas(tmp_path: Path) -> None:
    path = write(
        tmp_path / "febrl.csv",
        "rec_id, given_name, surname, postcode, date_of_birth\n"
        "rec-1-org, kayla, harrington, 3465, 19150612\n",
    )
    people = read_people(
        path,
        id_column="rec_id",
        mapping={"first_name": "given_name", "last_name": "surname", "zip": "postcode"},
        extras=[],
    )
    assert people.fields == ("first_name", "last_name", "zip")
    [row] = people.table.to_pylist()
    assert (row["id"], row["first_name"], row["zip"]) == ("rec-1-org", "kayla", "3465")


def test_voter_fields_are_normalised(tmp_path: Path) -> None:
    path = write(
        tmp_path / "people.csv",
        "id,first_name,last_name,suffix,gender,street,zip,phone,email\n"
        'a,Sir John,Smith III,Junior,Male,"12 North Main Street",80202-1234,'
        "+1 (303) 555-0100, John@Example.COM \n"
        "b,,,,unknown,,,555-01,not an address\n",
    )
    rows = read_people(path).table.to_pylist()
    assert rows[0]["first_name"] == "john"
    assert rows[0]["last_name"] == "smith"
    assert rows[0]["suffix"] == "jr"
    assert rows[0]["gender"] == "m"
    assert rows[0]["street"] == "12 n main st"
    assert rows[0]["zip"] == "80202"
    assert rows[0]["phone"] == "3035550100"
    assert rows[0]["email"] == "john@example.com"
    assert [rows[1][key] for key in ("first_name", "gender", "phone", "email")] == [None] * 4


def test_parquet_with_typed_columns(tmp_path: Path) -> None:
    path = tmp_path / "people.parquet"
    table = pa.table(
        {
            "voter": pa.array([101, 102]),
            "first_name": ["Ann", "Bob"],
            "dob": pa.array([pa.scalar(0, pa.date32()).as_py(), None], pa.date32()),
        }
    )
    pq.write_table(table, path)
    people = read_people(path, id_column="voter")
    assert people.ids() == ["101", "102"]
    assert column(people, "dob") == ["1970-01-01", None]


@pytest.mark.parametrize(
    ("text", "kwargs", "expected"),
    [
        ("who,first_name\na,x\n", {}, "has no id column 'id'"),
        ("id,first_name\na,x\n", {"mapping": {"birthday": "first_name"}}, "not a voter field"),
        ("id,first_name\na,x\n", {"mapping": {"dob": "born"}}, "there is no column 'born'"),
        ("id,first_name\na,x\n", {"extras": ["colour"]}, "there is no column 'colour'"),
        ("id,first_name,first_name\na,x,y\n", {}, "names column 'first_name' twice"),
    ],
)
def test_bad_column_choices_are_refused(
    tmp_path: Path, text: str, kwargs: dict[str, object], expected: str
) -> None:
    path = write(tmp_path / "people.csv", text)
    with pytest.raises(InvalidInput, match=expected) as caught:
        read_people(path, **kwargs)  # type: ignore[arg-type]
    assert str(path) in str(caught.value)


def test_an_extra_already_read_is_left_out_with_a_note(tmp_path: Path) -> None:
    path = write(tmp_path / "people.csv", "id,first_name,given,place\na,Ann,Ann,Keene\n")
    people = read_people(
        path, mapping={"last_name": "given"}, extras=["first_name", "id", "given", "place"]
    )
    assert people.fields == ("first_name", "last_name")
    assert people.extras == ("place",)
    assert people.table.to_pylist()[0][people.extra_column("place")] == "keene"
    assert people.notes == (
        "--extra first_name: ignored, the column is already read as field first_name",
        "--extra id: ignored, the column is already read as the id column",
        "--extra given: ignored, the column is already read as field last_name",
    )


def test_ids_must_be_unique_and_present(tmp_path: Path) -> None:
    path = write(tmp_path / "dupes.csv", "id,dob\na,1980-01-01\nb,1980-01-02\na,1999-12-31\n")
    with pytest.raises(InvalidInput) as caught:
        read_people(path)
    message = str(caught.value)
    assert "line 4" in message
    assert "line 2" in message
    assert "1999" not in message
    assert "1980" not in message

    path = write(tmp_path / "blank.csv", "id,dob\na,1980-01-01\n ,1980-01-02\n")
    with pytest.raises(InvalidInput, match="line 3"):
        read_people(path)


def test_rows_longer_than_the_header_are_refused_and_blank_rows_skipped(tmp_path: Path) -> None:
    path = write(tmp_path / "ragged.csv", "id,first_name\na,x\n\n,\nb\n")
    assert read_people(path).ids() == ["a", "b"]
    path = write(tmp_path / "long.csv", "id,first_name\na,x\nb,y,1980-01-01\n")
    with pytest.raises(InvalidInput, match="line 3: has 3 cells"):
        read_people(path)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(InvalidInput, match="cannot be read"):
        read_people(tmp_path / "missing.csv")
    latin = tmp_path / "latin.csv"
    latin.write_bytes(b"id,first_name\na,Ren\xe9e\n")
    with pytest.raises(InvalidInput, match="line 2: is not UTF-8"):
        read_people(latin)
    fake = tmp_path / "fake.parquet"
    fake.write_text("id\n", encoding="utf-8")
    with pytest.raises(InvalidInput, match="cannot be read as Parquet"):
        read_people(fake)


def test_people_from_rows() -> None:
    people = people_from_rows(
        [
            {
                "id": "v1",
                "first_name": "ANN",
                "dob": "01/02/1990",
                "county": "adams",
                "hair": "red",
            },
            {"id": "v2", "first_name": None, "dob": None, "hair": None},
        ],
        extras=["hair"],
    )
    assert people.ids() == ["v1", "v2"]
    assert people.fields == ("first_name", "dob")
    assert column(people, "dob") == ["1990-01-02", None]
    assert column(people, people.extra_column("hair")) == ["red", None]
    with pytest.raises(InvalidInput, match="record 2"):
        people_from_rows([{"id": "v1"}, {"id": "v1"}])
