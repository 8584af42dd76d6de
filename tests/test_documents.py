"""Uploading a document, its generation job (Celery, eager in tests), the document page
and the progress endpoint; who may open them."""

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from quizzes.models import GenerationJob, KeyPoint, Question, SourceDocument
from quizzes.models.banks import text_checksum
from quizzes.selectors.documents import Segment, text_segments
from quizzes.services import banks as bank_services
from quizzes.services import documents as document_services

from . import factories

EDITORIAL = (
    Path(__file__).resolve().parent.parent
    / "quizzes"
    / "demo"
    / "tianjin-12th-congress-editorial.en.txt"
).read_text(encoding="utf-8")
ZH_TEXT = (
    "中国共产党天津市第十二次代表大会胜利召开。\n\n"
    "我们要坚持创新、协调、绿色、开放、共享的新发展理念。"
)
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def bank(organizer):
    return factories.BankFactory(owner=organizer, title="Congress study")


@pytest.fixture
def organizer_client(client, organizer):
    client.force_login(organizer)
    return client


def _upload_url(bank):
    return reverse("quizzes:document_upload", kwargs={"pk": bank.pk})


def _file(data: bytes, name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def _nothing_saved():
    assert SourceDocument.objects.count() == 0
    assert GenerationJob.objects.count() == 0
    assert Question.objects.count() == 0


# --- Upload --------------------------------------------------------------------------------


def test_upload_page_shows_the_form(organizer_client, bank):
    response = organizer_client.get(_upload_url(bank))
    assert response.status_code == 200
    assert b'enctype="multipart/form-data"' in response.content
    assert b'name="file"' in response.content and b'name="text"' in response.content


def test_uploading_a_utf8_txt_saves_the_document_and_queues_a_job(
    organizer_client, organizer, bank
):
    response = organizer_client.post(
        _upload_url(bank),
        {
            "title": "",
            "file": _file(EDITORIAL.encode("utf-8"), "editorial.txt"),
            "language": "auto",
        },
    )
    document = SourceDocument.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("quizzes:document_detail", kwargs={"pk": document.pk})
    assert document.bank == bank
    assert document.language == "en"
    assert document.original_filename == "editorial.txt"
    assert document.uploaded_by == organizer
    assert document.title
    assert "one base and three districts" in document.text
    job = GenerationJob.objects.get()
    assert job.document == document
    assert job.created_by == organizer
    # Not run: the test transaction never commits, so on_commit has not sent the task.
    assert job.status == GenerationJob.Status.QUEUED


def test_uploading_a_gb18030_txt_reads_the_chinese_text(organizer_client, bank):
    response = organizer_client.post(
        _upload_url(bank),
        {"title": "天津", "file": _file(ZH_TEXT.encode("gb18030"), "报告.txt"), "language": "auto"},
    )
    assert response.status_code == 302
    document = SourceDocument.objects.get()
    assert document.title == "天津"
    assert document.language == "zh-hans"
    assert "创新、协调、绿色、开放、共享" in document.text


def test_a_utf8_txt_cut_in_a_character_is_saved_without_mojibake_and_the_page_says_so(
    organizer_client, bank
):
    response = organizer_client.post(
        _upload_url(bank),
        {"title": "", "file": _file(ZH_TEXT.encode()[:-1], "报告.txt"), "language": "auto"},
        follow=True,
    )

    document = SourceDocument.objects.get()
    assert document.text == ZH_TEXT[:-1]
    page = response.content.decode()
    assert "The file ends in the middle of a character" in page


def test_a_short_utf8_txt_with_a_damaged_byte_is_refused_naming_its_line(organizer_client, bank):
    data = ZH_TEXT.encode().replace("胜利".encode(), b"\xff\xfe", 1)

    response = organizer_client.post(
        _upload_url(bank), {"title": "", "file": _file(data, "报告.txt"), "language": "auto"}
    )

    assert response.status_code == 400
    assert "not UTF-8" in response.content.decode() and "line 1" in response.content.decode()
    _nothing_saved()


def test_pasted_text_is_cleaned_and_saved_with_the_chosen_language(organizer_client, bank):
    response = organizer_client.post(
        _upload_url(bank),
        {
            "title": "Pasted",
            "text": "  Adhere to the plan.\u00a0We must  win.  \n",
            "language": "en",
        },
    )
    assert response.status_code == 302
    document = SourceDocument.objects.get()
    assert document.title == "Pasted"
    assert document.language == "en"
    assert document.original_filename == ""
    assert document.text.startswith("Adhere to the plan.")


@pytest.mark.parametrize(
    ("data", "filename", "expected"),
    [
        (b"", "empty.txt", "The file is empty"),
        (PNG, "report.pdf", "does not match its extension"),
        (b"MZ\x90\x00", "virus.exe", "cannot be read"),
        ("中文 UTF-16".encode("utf-16"), "report.txt", "not in an encoding we can read"),
        (b"\x80\xff", "report.txt", "not in an encoding we can read"),
    ],
    ids=["empty", "wrong-type", "unsupported-type", "utf16", "bad-bytes"],
)
def test_a_refused_file_shows_its_reason_and_saves_nothing(
    organizer_client, bank, data, filename, expected
):
    response = organizer_client.post(
        _upload_url(bank), {"file": _file(data, filename), "language": "auto"}
    )
    assert response.status_code == 400
    assert expected in response.content.decode()
    _nothing_saved()


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(
    organizer_client, bank, settings, monkeypatch
):
    settings.STUDYAPP_UPLOAD_MAX_BYTES = 1024 * 1024
    read = []
    monkeypatch.setattr(document_services, "document_extract", lambda **kwargs: read.append(kwargs))
    response = organizer_client.post(
        _upload_url(bank),
        {"file": _file(b"a" * (1024 * 1024 + 1), "big.txt"), "language": "auto"},
    )
    assert response.status_code == 400
    assert "The file is larger than 1 MB." in response.content.decode()
    assert read == []
    _nothing_saved()


def test_neither_file_nor_text_is_refused(organizer_client, bank):
    response = organizer_client.post(_upload_url(bank), {"text": "  \n ", "language": "auto"})
    assert response.status_code == 400
    assert "Upload a file or paste the text." in response.content.decode()
    _nothing_saved()


def test_both_file_and_text_are_refused(organizer_client, bank):
    response = organizer_client.post(
        _upload_url(bank),
        {"file": _file(b"Some text.", "a.txt"), "text": "Other text.", "language": "auto"},
    )
    assert response.status_code == 400
    assert "not both" in response.content.decode()
    _nothing_saved()


def test_the_same_text_twice_in_a_bank_is_refused(organizer_client, bank):
    data = {"file": _file(EDITORIAL.encode("utf-8"), "a.txt"), "language": "auto"}
    assert organizer_client.post(_upload_url(bank), data).status_code == 302
    again = organizer_client.post(
        _upload_url(bank),
        {"file": _file(EDITORIAL.encode("utf-8-sig"), "b.txt"), "language": "auto"},
    )
    assert again.status_code == 400
    assert "already has a document with exactly the same text" in again.content.decode()
    assert SourceDocument.objects.count() == 1
    assert GenerationJob.objects.count() == 1


def test_the_same_text_in_another_bank_is_accepted(organizer, bank):
    other = factories.BankFactory(owner=organizer)
    for target in (bank, other):
        document_services.document_store(
            bank=target, uploaded_by=organizer, text="Adhere to the plan.", language="en"
        )
    assert SourceDocument.objects.filter(checksum=text_checksum("Adhere to the plan.")).count() == 2


# --- Generation ----------------------------------------------------------------------------


def _upload_and_run(client, bank, capture):
    with capture(execute=True):
        response = client.post(
            _upload_url(bank),
            {"text": EDITORIAL, "title": "Editorial", "language": "auto"},
        )
    assert response.status_code == 302
    return GenerationJob.objects.get()


def test_with_eager_celery_the_job_saves_key_points_and_draft_questions(
    organizer_client, organizer, bank, django_capture_on_commit_callbacks
):
    job = _upload_and_run(organizer_client, bank, django_capture_on_commit_callbacks)
    document = job.document
    assert job.status == GenerationJob.Status.DONE
    assert job.progress == 100
    assert job.started_at and job.finished_at and job.finished_at >= job.started_at
    key_points = list(KeyPoint.objects.filter(document=document))
    assert key_points
    for point in key_points:
        assert document.text[point.start_offset : point.end_offset] == point.text
    questions = Question.objects.filter(bank=bank).prefetch_related("versions")
    assert questions.count() == job.drafts_created > 0
    for question in questions:
        assert question.origin == Question.Origin.GENERATED
        assert question.status == Question.Status.DRAFT
        assert question.created_by == organizer
        version = question.current_version
        if version.source_start is not None:
            assert document.text[version.source_start : version.source_end] == (
                version.source_excerpt
            )
    assert questions.filter(key_point__isnull=False).count() == questions.count()


def test_running_a_done_job_again_changes_nothing(
    organizer_client, bank, django_capture_on_commit_callbacks
):
    job = _upload_and_run(organizer_client, bank, django_capture_on_commit_callbacks)
    questions = Question.objects.count()
    key_points = KeyPoint.objects.count()
    again = document_services.generation_run(job_id=job.pk)
    assert again.status == GenerationJob.Status.DONE
    assert Question.objects.count() == questions
    assert KeyPoint.objects.count() == key_points


def test_progress_is_written_while_generating(organizer, bank, monkeypatch):
    job = document_services.document_store(
        bank=bank, uploaded_by=organizer, text=EDITORIAL, language="en"
    )
    seen = []
    real_generate = document_services.generate

    def watching_generate(text, **kwargs):
        report = kwargs["progress"]

        def progress(fraction, stage):
            report(fraction, stage)
            row = GenerationJob.objects.get(pk=job.pk)
            seen.append((row.status, row.progress, row.stage))

        return real_generate(text, **{**kwargs, "progress": progress})

    monkeypatch.setattr(document_services, "generate", watching_generate)
    document_services.generation_run(job_id=job.pk, max_drafts=5)
    assert all(status == GenerationJob.Status.RUNNING for status, _, _ in seen)
    assert [progress for _, progress, _ in seen] == sorted(progress for _, progress, _ in seen)
    assert any(stage == "key_points" for _, _, stage in seen)
    assert GenerationJob.objects.get(pk=job.pk).progress == 100


def test_a_failing_generation_marks_the_job_failed_and_saves_nothing(
    organizer_client, bank, monkeypatch, django_capture_on_commit_callbacks, caplog
):
    def broken(text, **kwargs):
        kwargs["progress"](0.5, "drafts")
        raise RuntimeError("the generator broke")

    monkeypatch.setattr(document_services, "generate", broken)
    job = _upload_and_run(organizer_client, bank, django_capture_on_commit_callbacks)
    assert job.status == GenerationJob.Status.FAILED
    assert job.error_code == "error"
    assert job.finished_at is not None
    assert KeyPoint.objects.count() == 0
    assert Question.objects.count() == 0
    page = organizer_client.get(reverse("quizzes:document_detail", kwargs={"pk": job.document_id}))
    assert "Generation failed; no questions were saved." in page.content.decode()
    # The organizer reads a generic reason; the technical detail is in the log only.
    assert "Generation failed because of an error on the server." in page.content.decode()
    assert "the generator broke" not in page.content.decode()
    assert "the generator broke" not in job.error
    assert "the generator broke" in caplog.text


def test_a_failure_while_saving_rolls_back_every_saved_row(organizer, bank, monkeypatch):
    job = document_services.document_store(
        bank=bank, uploaded_by=organizer, text=EDITORIAL, language="en"
    )
    calls = []
    real_insert = bank_services._insert

    def failing_insert(*args, **kwargs):
        calls.append(1)
        if len(calls) == 3:  # questions and versions are in; their choices fail
            raise RuntimeError("database went away")
        return real_insert(*args, **kwargs)

    monkeypatch.setattr(bank_services, "_insert", failing_insert)
    job = document_services.generation_run(job_id=job.pk, max_drafts=6)
    assert job.status == GenerationJob.Status.FAILED
    assert KeyPoint.objects.count() == 0
    assert Question.objects.count() == 0


# --- Progress endpoint and document page ------------------------------------------------------


def test_progress_endpoint_reports_the_latest_job(organizer_client, organizer, bank):
    job = document_services.document_store(
        bank=bank, uploaded_by=organizer, text="Adhere to the plan.", language="en"
    )
    GenerationJob.objects.filter(pk=job.pk).update(
        status=GenerationJob.Status.RUNNING, progress=40, stage="key_points"
    )
    url = reverse("quizzes:document_progress", kwargs={"pk": job.document_id})
    response = organizer_client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    data = response.json()
    assert data["status"] == "running"
    assert data["active"] is True
    assert data["progress"] == 40
    assert data["stage"] == "key_points"
    assert data["stage_display"] == "finding key points"
    assert data["error"] == ""


def test_document_page_polls_while_the_job_runs(organizer_client, organizer, bank):
    job = document_services.document_store(
        bank=bank, uploaded_by=organizer, text="Adhere to the plan.", language="en"
    )
    page = organizer_client.get(reverse("quizzes:document_detail", kwargs={"pk": job.document_id}))
    content = page.content.decode()
    assert "js/generation_progress.js" in content
    assert 'http-equiv="refresh"' in content
    assert reverse("quizzes:document_progress", kwargs={"pk": job.document_id}) in content


def test_document_page_marks_key_points_and_escapes_the_text(organizer_client, organizer, bank):
    text = "Intro <script>alert(1)</script> & more. Adhere to the plan. The end."
    document = factories.DocumentFactory(
        bank=bank, text=text, checksum=text_checksum(text), uploaded_by=organizer
    )
    start = text.index("Adhere")
    point = factories.KeyPointFactory(
        document=document,
        ordinal=1,
        text="Adhere to the plan.",
        start_offset=start,
        end_offset=start + len("Adhere to the plan."),
    )
    factories.QuestionFactory(bank=bank, key_point=point, origin="generated", status="draft")
    factories.QuestionFactory(bank=bank, key_point=point, origin="generated", status="published")
    GenerationJob.objects.create(
        document=document, created_by=organizer, status="done", progress=100, drafts_created=2
    )
    response = organizer_client.get(reverse("quizzes:document_detail", kwargs={"pk": document.pk}))
    content = response.content.decode()
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in content
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more." in content
    assert (
        '<mark class="key-point" id="mark-1"><a class="key-point__number" href="#key-point-1">1</a>'
        " Adhere to the plan.</mark>"
    ) in content
    assert "1 draft waiting" in content
    assert "2 draft questions were written." in content
    assert "js/generation_progress.js" not in content


def test_text_segments_skip_overlapping_and_out_of_range_key_points():
    text = "abcdefghij"
    points = [
        KeyPoint(ordinal=1, start_offset=2, end_offset=5),
        KeyPoint(ordinal=2, start_offset=4, end_offset=7),  # overlaps 1
        KeyPoint(ordinal=3, start_offset=7, end_offset=9),
        KeyPoint(ordinal=4, start_offset=9, end_offset=20),  # beyond the text
    ]
    assert text_segments(text=text, key_points=points) == [
        Segment("ab"),
        Segment("cde", 1),
        Segment("fg"),
        Segment("hi", 3),
        Segment("j"),
    ]


def test_bank_page_links_to_upload_and_review(organizer_client, bank):
    content = organizer_client.get(
        reverse("quizzes:bank_questions", kwargs={"pk": bank.pk})
    ).content.decode()
    assert _upload_url(bank) in content
    assert reverse("quizzes:review_queue", kwargs={"pk": bank.pk}) in content


# --- Who may open the pages --------------------------------------------------------------------


@pytest.fixture
def document(bank, organizer):
    job = document_services.document_store(
        bank=bank, uploaded_by=organizer, text="Adhere to the plan.", language="en"
    )
    return job.document


def _pages(bank, document):
    return [
        _upload_url(bank),
        reverse("quizzes:document_detail", kwargs={"pk": document.pk}),
        reverse("quizzes:document_progress", kwargs={"pk": document.pk}),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, bank, document):
    for url in _pages(bank, document):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_a_learner_gets_404(client, learner, bank, document):
    client.force_login(learner)
    for url in _pages(bank, document):
        assert client.get(url).status_code == 404
    response = client.post(_upload_url(bank), {"text": "Other text.", "language": "en"})
    assert response.status_code == 404
    assert SourceDocument.objects.count() == 1


def test_an_organizer_of_another_bank_gets_404(client, bank, document):
    stranger = factories.UserFactory(username="stranger")
    factories.BankFactory(owner=stranger)
    client.force_login(stranger)
    for url in _pages(bank, document):
        assert client.get(url).status_code == 404


def test_staff_may_open_every_page(client, superuser, bank, document):
    client.force_login(superuser)
    for url in _pages(bank, document):
        assert client.get(url).status_code == 200
