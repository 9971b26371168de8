"""Files and rows stay in step: a rolled-back upload leaves no file, a rolled-back removal keeps it."""

from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage

from conference.materials import files, operations
from tests.conference.materials.conftest import minimal_pdf


def add_pdf(talk):
    upload = FileStorage(stream=io.BytesIO(minimal_pdf()), filename="deck.pdf")
    return operations.add_slides(talk.proposal, upload, files.PDF, talk.speaker)


def test_a_rolled_back_upload_leaves_no_file_behind(talk, db, materials_folder):
    material = add_pdf(talk)
    path = materials_folder / material.storage_key
    assert path.exists()

    db.session.rollback()

    assert not path.exists()


def test_a_committed_upload_keeps_its_file(talk, db, materials_folder):
    material = add_pdf(talk)
    db.session.commit()

    assert (materials_folder / material.storage_key).exists()


def test_a_removal_deletes_the_file_only_when_committed(talk, db, materials_folder):
    material = add_pdf(talk)
    db.session.commit()
    path = materials_folder / material.storage_key

    operations.remove_material(material)
    db.session.rollback()
    assert path.exists()

    operations.remove_material(db.session.get(type(material), material.id))
    db.session.commit()
    assert not path.exists()


def test_a_savepoint_commit_does_not_delete_files_early(talk, db, materials_folder):
    material = add_pdf(talk)
    db.session.commit()
    path = materials_folder / material.storage_key

    operations.remove_material(material)
    with db.session.begin_nested():
        pass
    assert path.exists()
    db.session.rollback()
    assert path.exists()
