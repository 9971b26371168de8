"""Uploading slides: checked by type and content and size, stored outside the web root,
downloaded as an attachment, and visible only as the talk's publication allows."""

from __future__ import annotations

import io
import os

import pytest
from sqlalchemy import select

from conference.materials.models import MaterialKind, TalkMaterial
from tests.conference.materials.conftest import (
    encrypted_odp,
    minimal_keynote,
    minimal_odp,
    minimal_pdf,
    minimal_pptx,
    shifted_directory_odp,
    undecodable_name_pptx,
)


def upload(
    client, talk, content: bytes, filename: str, content_type="application/octet-stream", title=""
):
    return client.post(
        f"/c/summit/talks/{talk.proposal.id}/materials/slides",
        data={"slides-file": (io.BytesIO(content), filename, content_type), "slides-title": title},
        content_type="multipart/form-data",
    )


def stored(db):
    db.session.expire_all()
    return list(db.session.scalars(select(TalkMaterial)))


def test_speaker_uploads_a_pdf_and_anyone_downloads_it_as_an_attachment(
    app, client, login, talk, db, materials_folder
):
    login(talk.speaker)
    content = minimal_pdf("Hello")

    response = upload(
        client, talk, content, "Observability deck.pdf", "application/pdf", title="Deck"
    )

    assert response.status_code == 302
    [material] = stored(db)
    assert (material.kind, material.filename, material.size_bytes) == (
        MaterialKind.SLIDES,
        "Observability deck.pdf",
        len(content),
    )
    assert material.content_type == "application/pdf"
    path = materials_folder / material.storage_key
    assert path.read_bytes() == content
    # Outside the web root: nothing under the static folder, and a name that says nothing.
    assert not str(path).startswith(app.static_folder)
    assert "Observability" not in material.storage_key

    with app.test_client().get(f"/c/summit/materials/{material.id}/download") as download:
        body = download.data

    assert download.status_code == 200
    assert body == content
    assert download.headers["Content-Type"] == "application/pdf"
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert "Observability deck.pdf" in download.headers["Content-Disposition"]


@pytest.mark.parametrize(
    ("content", "filename", "content_type"),
    [
        (
            minimal_pptx(),
            "deck.pptx",
            "application/vnd.openxmlformats-officedocument.presentationml.presentation",
        ),
        (minimal_odp(), "deck.odp", "application/vnd.oasis.opendocument.presentation"),
        (minimal_keynote(), "deck.key", "application/vnd.apple.keynote"),
    ],
)
def test_presentation_formats_are_accepted_and_served_with_their_type(
    app, client, login, talk, db, content, filename, content_type
):
    login(talk.organiser)

    assert upload(client, talk, content, filename).status_code == 302

    [material] = stored(db)
    with app.test_client().get(f"/c/summit/materials/{material.id}/download") as download:
        assert download.headers["Content-Type"] == content_type
        assert download.data == content


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (b"<!doctype html><html><script>alert(1)</script></html>", "talk.html", "Upload one of:"),
        (
            b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>',
            "talk.svg",
            "Upload one of:",
        ),
        (
            b"Plain notes renamed to look like a PDF.\n",
            "notes.pdf",
            "its contents are not a PDF file",
        ),
        (
            b"<!doctype html><html><body>hi</body></html>",
            "page.pdf",
            "its contents are not a PDF file",
        ),
        (minimal_pptx(), "deck.pdf", "its contents are a PowerPoint file"),
        (b"", "empty.pdf", "The file is empty."),
    ],
)
def test_files_that_are_not_slides_are_rejected_with_a_form_error(
    client, login, talk, db, materials_folder, content, filename, message
):
    login(talk.speaker)

    response = upload(client, talk, content, filename, "application/pdf")

    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert message in html
    assert 'class="field-error"' in html
    assert stored(db) == []
    assert not materials_folder.exists() or os.listdir(materials_folder) == []


@pytest.mark.parametrize(
    ("content", "filename"),
    [
        (encrypted_odp(), "locked.odp"),
        (undecodable_name_pptx(), "damaged.pptx"),
        (shifted_directory_odp(), "truncated.odp"),
    ],
)
def test_damaged_presentation_files_are_a_form_error_not_a_failure(
    client, login, talk, db, materials_folder, content, filename
):
    login(talk.speaker)

    response = upload(client, talk, content, filename)

    assert response.status_code == 422
    assert "but its contents are not a" in response.get_data(as_text=True)
    assert stored(db) == []


def test_a_file_over_the_limit_is_a_form_error(app, client, login, talk, db):
    app.config["MATERIALS_MAX_BYTES"] = 2000
    login(talk.speaker)

    response = upload(client, talk, minimal_pdf("x" * 3000), "big.pdf")

    assert response.status_code == 422
    assert "slides may be at most 2 KB" in response.get_data(as_text=True)
    assert stored(db) == []


def test_a_request_far_over_the_limit_gets_a_413_page_not_an_error(app, client, login, talk, db):
    app.config["MATERIALS_MAX_BYTES"] = 2000
    login(talk.speaker)

    response = upload(client, talk, minimal_pdf("x" * 200_000), "huge.pdf")

    assert response.status_code == 413
    html = response.get_data(as_text=True)
    assert "File too large" in html and "Back to the talk" in html
    assert stored(db) == []


def test_uploads_up_to_the_slide_limit_pass_the_smaller_app_wide_request_limit(
    app, client, login, talk, db
):
    app.config["MAX_CONTENT_LENGTH"] = 10_000
    app.config["MATERIALS_MAX_BYTES"] = 100_000
    login(talk.speaker)

    response = upload(client, talk, minimal_pdf("x" * 50_000), "long.pdf")

    assert response.status_code == 302
    assert len(stored(db)) == 1


@pytest.mark.parametrize("who", ["attendee", "other_speaker"])
def test_people_who_are_not_speakers_or_organisers_cannot_upload(client, login, talk, db, who):
    login(getattr(talk, who))

    response = upload(client, talk, minimal_pdf(), "slides.pdf")

    assert response.status_code == 403
    assert stored(db) == []


def test_anonymous_people_are_sent_to_log_in_before_managing_materials(client, talk):
    response = client.get(f"/c/summit/talks/{talk.proposal.id}/materials")

    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_slides_of_an_unpublished_talk_are_only_for_its_speakers_and_organisers(
    app, client, login, talk, db
):
    db.session.delete(talk.scheduled)
    db.session.commit()
    login(talk.co_speaker)
    assert upload(client, talk, minimal_pdf(), "early.pdf").status_code == 302
    [material] = stored(db)
    url = f"/c/summit/materials/{material.id}/download"

    assert app.test_client().get(url).status_code == 404
    attendee = app.test_client()
    attendee.post(
        "/login", data={"email": talk.attendee.email, "password": "correct horse battery"}
    )
    assert attendee.get(url).status_code == 404
    with client.get(url) as speaker_download:
        assert speaker_download.status_code == 200
        assert speaker_download.headers["Cache-Control"] == "private, no-store"


def test_removing_slides_deletes_the_file_once_committed(client, login, talk, db, materials_folder):
    login(talk.speaker)
    upload(client, talk, minimal_pdf(), "slides.pdf")
    [material] = stored(db)
    path = materials_folder / material.storage_key

    response = client.post(f"/c/summit/talks/{talk.proposal.id}/materials/{material.id}/remove")

    assert response.status_code == 302
    assert stored(db) == []
    assert not path.exists()


@pytest.mark.parametrize("who", ["attendee", "other_speaker"])
def test_people_who_are_not_speakers_or_organisers_cannot_remove(
    app, client, login, talk, db, materials_folder, who
):
    speaker = app.test_client()
    speaker.post("/login", data={"email": talk.speaker.email, "password": "correct horse battery"})
    upload(speaker, talk, minimal_pdf(), "slides.pdf")
    [material] = stored(db)
    login(getattr(talk, who))

    response = client.post(f"/c/summit/talks/{talk.proposal.id}/materials/{material.id}/remove")

    assert response.status_code == 403
    assert len(stored(db)) == 1
    assert (materials_folder / material.storage_key).exists()


def test_a_material_cannot_be_removed_through_another_talk(app, client, login, talk, db):
    speaker = app.test_client()
    speaker.post("/login", data={"email": talk.speaker.email, "password": "correct horse battery"})
    upload(speaker, talk, minimal_pdf(), "slides.pdf")
    [material] = stored(db)
    login(talk.other_speaker)

    response = client.post(
        f"/c/summit/talks/{talk.other_proposal.id}/materials/{material.id}/remove"
    )

    assert response.status_code == 404
    assert len(stored(db)) == 1


def test_the_public_talk_page_lists_slides_and_recordings(app, client, login, talk, db):
    login(talk.speaker)
    upload(client, talk, minimal_pdf(), "deck.pdf", title="The deck")
    client.post(
        f"/c/summit/talks/{talk.proposal.id}/materials/links",
        data={"link-kind": "recording", "link-url": "https://video.example.com/w/42"},
    )

    html = (
        app.test_client().get(f"/c/summit/agenda/talks/{talk.proposal.id}").get_data(as_text=True)
    )

    assert "Slides and recordings" in html
    assert "The deck" in html and "/download" in html
    assert 'href="https://video.example.com/w/42"' in html
    assert "Add or remove slides" not in html and "/remove" not in html
    assert "Add or remove slides" in client.get(
        f"/c/summit/agenda/talks/{talk.proposal.id}"
    ).get_data(as_text=True)


def test_the_speakers_proposal_page_links_to_the_materials(client, login, talk):
    login(talk.speaker)

    html = client.get(f"/c/summit/proposals/{talk.proposal.id}").get_data(as_text=True)

    assert f"/c/summit/talks/{talk.proposal.id}/materials" in html


def test_organisers_see_every_talk_and_its_material_counts(client, login, talk, db):
    login(talk.organiser)

    html = client.get("/c/summit/manage/materials").get_data(as_text=True)

    assert "Observability at scale" in html and "Another talk" in html
    assert f"/c/summit/talks/{talk.proposal.id}/materials" in html


def test_the_organiser_overview_is_only_for_organisers(client, login, talk):
    login(talk.speaker)

    assert client.get("/c/summit/manage/materials").status_code == 403
