"""Importing members from an Excel or CSV sheet: the reader, the preview with per-row
errors, the all-or-nothing import, initial passwords shown once and downloadable once and
never stored in plain text."""

import csv
import io
import zipfile
from unittest import mock

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError
from django.test import override_settings
from django.urls import reverse

from quizzes.formats.members import MemberFileError, read_members
from quizzes.models import Membership
from quizzes.services import groups as group_services
from quizzes.services.groups import (
    INITIAL_PASSWORD_ALPHABET,
    INITIAL_PASSWORD_ITERATIONS,
    initial_password,
    members_import,
)

from . import factories

User = get_user_model()


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _codes(row):
    return [problem.code for problem in row.problems]


# --- The reader (pure Python) ------------------------------------------------------------


def test_xlsx_with_chinese_headers_is_read_with_sheet_line_numbers():
    data = _xlsx(
        [
            ["姓名", "账号", "单位"],
            ["张三", "zhangsan", "第一支部"],
            [None, None, None],
            ["李四", 1001.0, None],
        ]
    )

    rows = read_members(data, "名单.xlsx")

    assert [(r.line, r.name, r.username, r.unit) for r in rows] == [
        (2, "张三", "zhangsan", "第一支部"),
        (4, "李四", "1001", ""),
    ]
    assert all(row.ok for row in rows)


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_gb18030(encoding):
    text = "用户名,姓名,单位\r\nwangwu,王五,机关党委\r\n"

    rows = read_members(text.encode(encoding), "members.csv")

    assert [(r.name, r.username, r.unit) for r in rows] == [("王五", "wangwu", "机关党委")]


def test_english_headers_in_any_case_and_order_and_semicolons():
    rows = read_members(b"Unit;Username;Name\nOffice;li;Li Ming\n", "m.csv")

    assert [(r.name, r.username, r.unit) for r in rows] == [("Li Ming", "li", "Office")]


def test_repeated_usernames_and_missing_usernames_are_row_problems():
    rows = read_members(b"name,username\nA,ann\nB,\nC,ANN\n", "m.csv")

    assert [_codes(row) for row in rows] == [[], ["username_missing"], ["duplicate_username"]]
    assert rows[2].problems[0].params == {"line": 2}


@pytest.mark.parametrize(
    ("data", "filename", "code"),
    [
        (b"", "m.csv", "empty"),
        (b"name,unit\nA,B\n", "m.csv", "no_username_column"),
        (b"\xff\xfe\x00n\x00a", "m.csv", "bad_encoding"),
        (b"whatever", "m.xls", "unsupported_type"),
        (b"PK\x03\x04 not really a zip", "m.xlsx", "corrupt"),
        (b"name,username\n", "m.docx", "unsupported_type"),
    ],
)
def test_unreadable_files_are_refused_with_a_code(data, filename, code):
    with pytest.raises(MemberFileError) as error:
        read_members(data, filename)

    assert error.value.code == code


# --- A CSV that does not parse, or is damaged, is refused saying where and what ---------

HEADER = "姓名,用户名,单位\n"


def _refusal(data: bytes, filename: str = "m.csv") -> MemberFileError:
    with pytest.raises(MemberFileError) as error:
        read_members(data, filename)
    return error.value


def test_a_quote_left_open_is_refused_with_its_row_and_column():
    data = HEADER + '张三,zhangsan,第一支部\n李四,"lisi,第二支部\n王五,wangwu,机关\n'

    error = _refusal(data.encode())

    assert (error.code, error.params) == ("csv_open_quote", {"row": 3, "column": 2})
    assert str(error).startswith("Row 3, column 2: a quote")


def test_a_quote_left_open_in_a_long_file_is_refused_with_its_row_and_column():
    # The open field outgrows the csv module's field limit instead of ending the file.
    data = HEADER + '张三,zhangsan,"第一支部\n' + "王五,wangwu,机关\n" * 20_000

    error = _refusal(data.encode())

    assert (error.code, error.params) == ("csv_open_quote", {"row": 2, "column": 3})


def test_a_cell_quoted_across_lines_on_purpose_is_read():
    data = HEADER + '张三,zhangsan,"第一\n支部"\n王五,wangwu,"机关"\n'

    rows = read_members(data.encode(), "m.csv")

    assert [(row.username, row.unit) for row in rows] == [
        ("zhangsan", "第一 支部"),
        ("wangwu", "机关"),
    ]


def test_a_nul_character_is_refused_with_its_row_and_column():
    data = HEADER + "a,b,c\n" * 2000 + "张三,zhang\x00san,第一支部\n"

    error = _refusal(data.encode())

    assert (error.code, error.params) == ("csv_nul", {"row": 2002, "column": 2})


def test_a_csv_with_old_mac_line_endings_is_read():
    data = HEADER.replace("\n", "\r") + "张三,zhangsan,第一支部\r李四,lisi,第二支部\r"

    rows = read_members(data.encode(), "m.csv")

    assert [(row.line, row.username) for row in rows] == [(2, "zhangsan"), (3, "lisi")]


@pytest.mark.parametrize(
    ("data", "code", "line"),
    [
        ((HEADER + "张三,zhangsan,第一支部\n").encode()[:-2], "truncated_utf8", 2),
        (
            (HEADER + "张三,zhang").encode() + b"\xff" + "san,第一支部\n".encode(),
            "broken_utf8",
            2,
        ),
        (
            (HEADER + "张三,zhangsan,第一支部\n" * 300).encode()[:-3] + b"\xe9\x83" + b"\n",
            "broken_utf8",
            301,
        ),
    ],
)
def test_damaged_utf8_is_refused_naming_its_line_never_read_as_gb18030(data, code, line):
    error = _refusal(data)

    assert (error.code, error.params["line"]) == (code, line)
    assert f"line {line}" in str(error)


def test_a_binary_file_named_csv_is_refused_as_not_text():
    assert _refusal(b"PK\x03\x04\x00\x00binary").code == "not_text"


def test_a_csv_error_is_shown_on_the_form_in_the_readers_language(organizer_client, group):
    data = (HEADER + '李四,"lisi,第二支部\n').encode()

    english = _upload(organizer_client, group, data).content.decode()
    organizer_client.cookies["django_language"] = "zh-hans"
    chinese = _upload(organizer_client, group, data).content.decode()

    assert "Row 2, column 2: a quote (&quot;) opens there" in english
    assert "damaged or is not really an .xlsx" not in english
    assert "第 2 行第 2 列" in chinese


# --- A workbook that declares entities is refused as such ------------------------------


DOCTYPE = b'<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def _xlsx_with_doctype(part: str) -> bytes:
    source = zipfile.ZipFile(io.BytesIO(_xlsx([["username"], ["zhangsan"]])))
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            content = source.read(info)
            if info.filename == part:
                content = DOCTYPE + content
            target.writestr(info, content)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "part", ["xl/workbook.xml", "xl/worksheets/sheet1.xml", "[Content_Types].xml"]
)
def test_a_workbook_declaring_an_entity_is_refused_saying_so(part):
    error = _refusal(_xlsx_with_doctype(part), "m.xlsx")

    assert error.code == "unsafe_xml"
    assert "declares a DTD, entities" in str(error)


def test_a_workbook_that_unpacks_to_far_too_much_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (70 * 1024 * 1024))

    with pytest.raises(MemberFileError) as error:
        read_members(buffer.getvalue(), "bomb.xlsx")

    assert error.value.code == "archive_bomb"


def test_too_many_rows_are_refused(monkeypatch):
    monkeypatch.setattr("quizzes.formats.members.MAX_ROWS", 3)
    data = ("username\n" + "".join(f"u{n}\n" for n in range(4))).encode()

    with pytest.raises(MemberFileError) as error:
        read_members(data, "m.csv")

    assert error.value.code == "too_many_rows"


def test_initial_passwords_are_readable_and_random():
    passwords = {initial_password() for _ in range(200)}

    assert len(passwords) == 200
    for password in passwords:
        assert len(password) == 10
        assert set(password) <= set(INITIAL_PASSWORD_ALPHABET)
        assert not set(password) & set("01ilo")


# --- Preview ---------------------------------------------------------------------------


def _upload(client, group, data, name="members.csv"):
    return client.post(
        reverse("quizzes:member_import", args=[group.pk]),
        {"file": SimpleUploadedFile(name, data)},
    )


SHEET = (
    "姓名,用户名,单位\n"
    "张三,zhangsan,第一支部\n"  # new
    "李老师,Learner,第二支部\n"  # existing account, already in the group
    "Other,outsider,机关\n"  # existing account, not in the group
    "重复,ZHANGSAN,\n"  # repeats line 2
    "坏名,bad name!,\n"  # invalid username
    "无账号,,\n"  # no username
).encode()


@pytest.fixture
def organizer_client(client, organizer, group, other_group):
    client.force_login(organizer)
    return client


def test_preview_says_what_happens_to_each_row(organizer_client, group):
    response = _upload(organizer_client, group, SHEET)

    assert response.status_code == 200
    actions = [item["check"].action for item in response.context["rows"]]
    assert actions == ["create", "already", "add", "skip", "skip", "skip"]
    html = response.content.decode()
    assert "The username is repeated: it first appears on line 2." in html
    assert "A username may contain only letters, digits and @ . + - _" in html
    assert "The username is empty." in html
    assert "Import 2 members" in html
    # Nothing is saved by a preview.
    assert not User.objects.filter(username="zhangsan").exists()


def test_a_file_error_is_shown_on_the_form(organizer_client, group):
    response = _upload(organizer_client, group, b"name,unit\nA,B\n")

    assert response.status_code == 200
    assert "No username column was found in the header row" in response.content.decode()


def test_too_large_an_upload_is_refused_before_reading(organizer_client, group, monkeypatch):
    monkeypatch.setattr("quizzes.forms.members.MAX_BYTES", 10)

    response = _upload(organizer_client, group, b"username\nabcdefghijk\n")

    assert "The file is larger than" in response.content.decode()


# --- Import ----------------------------------------------------------------------------


def _import(client, group, data=SHEET, name="members.csv"):
    _upload(client, group, data, name)
    return client.post(reverse("quizzes:member_import_confirm", args=[group.pk]))


def test_import_creates_new_accounts_and_adds_existing_ones(organizer_client, group, learner):
    outsider = User.objects.get(username="outsider")
    outsider_password = outsider.password

    response = _import(organizer_client, group)

    assert response.status_code == 302
    zhangsan = User.objects.get(username="zhangsan")
    assert zhangsan.display_name == "张三"
    assert Membership.objects.get(group=group, user=zhangsan).unit == "第一支部"
    assert Membership.objects.get(group=group, user=outsider).unit == "机关"
    outsider.refresh_from_db()
    assert outsider.password == outsider_password
    # Only the new account must choose its own password at first login.
    assert zhangsan.must_change_password
    assert not outsider.must_change_password
    assert not User.objects.filter(username__in=["bad name!", ""]).exists()
    assert Membership.objects.filter(group=group).count() == 4


def test_passwords_are_shown_once_and_work(organizer_client, group, client):
    _import(organizer_client, group)
    result_url = reverse("quizzes:member_import_result", args=[group.pk])

    first = organizer_client.get(result_url)
    second = organizer_client.get(result_url)

    accounts = first.context["accounts"]
    assert [a[1] for a in accounts] == ["zhangsan"]
    password = accounts[0][3]
    assert password in first.content.decode()
    assert first["Cache-Control"] == "no-store"
    assert password not in second.content.decode()
    assert "shown once already" in second.content.decode()
    assert type(client)().login(username="zhangsan", password=password)


@override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"])
def test_initial_passwords_are_hashed_fast_and_rehashed_at_full_strength_on_first_login(
    organizer, group, client
):
    outcome = members_import(
        group=group, rows=read_members(b"username\nzhangsan\n", "m.csv"), imported_by=organizer
    )
    stored = User.objects.get(username="zhangsan").password

    assert client.login(username="zhangsan", password=outcome.created[0].password)

    rehashed = User.objects.get(username="zhangsan").password
    assert stored.split("$")[1] == str(INITIAL_PASSWORD_ITERATIONS)
    assert rehashed.split("$")[1] == str(PBKDF2PasswordHasher.iterations)


def test_passwords_download_once_as_csv(organizer_client, group):
    _import(organizer_client, group)
    organizer_client.get(reverse("quizzes:member_import_result", args=[group.pk]))
    url = reverse("quizzes:member_import_passwords", args=[group.pk])

    first = organizer_client.post(url, {"format": "csv"})
    second = organizer_client.post(url, {"format": "csv"})

    text = first.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["Name", "Username", "Unit", "Initial password"]
    assert rows[1][:3] == ["张三", "zhangsan", "第一支部"]
    assert User.objects.get(username="zhangsan").check_password(rows[1][3])
    assert second.status_code == 302
    assert "already downloaded" in organizer_client.get(second["Location"]).content.decode()


def test_passwords_download_as_excel(organizer_client, group):
    _import(organizer_client, group)

    response = organizer_client.post(
        reverse("quizzes:member_import_passwords", args=[group.pk]), {"format": "xlsx"}
    )

    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("Name", "Username", "Unit", "Initial password")
    assert rows[1][1] == "zhangsan"
    assert User.objects.get(username="zhangsan").check_password(rows[1][3])


def test_plaintext_passwords_never_reach_the_database(organizer_client, group):
    _import(organizer_client, group)
    response = organizer_client.get(reverse("quizzes:member_import_result", args=[group.pk]))
    password = response.context["accounts"][0][3]

    stored_sessions = [session.session_data for session in Session.objects.all()]
    decoded = [str(session.get_decoded()) for session in Session.objects.all()]

    assert stored_sessions
    assert not any(password in data for data in stored_sessions + decoded)
    assert password not in User.objects.get(username="zhangsan").password


def test_import_is_all_or_nothing(organizer_client, group):
    _upload(organizer_client, group, SHEET)

    with (
        mock.patch.object(
            group_services.Membership.objects, "bulk_create", side_effect=IntegrityError("boom")
        ),
        pytest.raises(IntegrityError),
    ):
        organizer_client.post(reverse("quizzes:member_import_confirm", args=[group.pk]))

    assert not User.objects.filter(username="zhangsan").exists()


def test_a_username_taken_meanwhile_is_reported_not_a_500(organizer, group):
    rows = read_members(b"username\nzhangsan\n", "m.csv")
    with (
        mock.patch.object(
            group_services.User.objects, "bulk_create", side_effect=IntegrityError("taken")
        ),
        pytest.raises(ValidationError) as error,
    ):
        members_import(group=group, rows=rows, imported_by=organizer)

    assert error.value.code == "username_taken"


def test_import_of_an_xlsx_through_the_pages(organizer_client, group):
    data = _xlsx([["姓名", "用户名", "单位"], ["赵六", "zhaoliu", "宣传部"]])

    _import(organizer_client, group, data, "名单.xlsx")

    assert Membership.objects.get(group=group, user__username="zhaoliu").unit == "宣传部"


def test_confirm_without_a_preview_says_so(organizer_client, group):
    response = organizer_client.post(
        reverse("quizzes:member_import_confirm", args=[group.pk]), follow=True
    )

    assert "upload the member list again" in response.content.decode()


def test_deactivated_account_is_left_out(organizer_client, group):
    factories.UserFactory(username="gone", is_active=False)

    response = _upload(organizer_client, group, b"username\ngone\n")

    assert response.context["rows"][0]["check"].action == "skip"
    assert "This account is deactivated." in response.content.decode()
