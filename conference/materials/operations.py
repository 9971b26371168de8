"""Attach materials to talks and remove them. Operations flush; the request commits.

Files and rows must agree even though the file system has no transactions: a new file is
written before its row is flushed and deleted again if the transaction rolls back; a
removed material's file is deleted only once the removal has been committed.
"""

from __future__ import annotations

import shutil

from sqlalchemy import event, select
from sqlalchemy.orm import Session, SessionTransaction
from werkzeug.datastructures import FileStorage

from conference.accounts.models import User
from conference.extensions import db
from conference.materials import files
from conference.materials.models import MaterialKind, TalkMaterial
from conference.proposals.models import Proposal

WRITTEN_FILES = "materials_written_files"
FILES_TO_DELETE = "materials_files_to_delete"
COPY_CHUNK = 1024 * 1024


def _unlink(storage_keys: list[str]) -> None:
    for storage_key in storage_keys:
        files.stored_path(storage_key).unlink(missing_ok=True)


@event.listens_for(Session, "after_commit")
def _delete_removed_files(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the outer transaction may still roll back
    session.info.pop(WRITTEN_FILES, None)
    _unlink(session.info.pop(FILES_TO_DELETE, []))


@event.listens_for(Session, "after_soft_rollback")
def _delete_orphaned_files(session: Session, previous_transaction: SessionTransaction) -> None:
    if previous_transaction.parent is not None:
        return
    session.info.pop(FILES_TO_DELETE, None)
    _unlink(session.info.pop(WRITTEN_FILES, []))


def _refresh_archive(proposal: Proposal) -> None:
    """The archive lists which talks have recordings; tell it this one changed."""
    from conference.archive.operations import refresh_archive_entries

    refresh_archive_entries([proposal.id])


def add_slides(
    proposal: Proposal,
    upload: FileStorage,
    slide_format: files.SlideFormat,
    added_by: User,
    title: str = "",
) -> TalkMaterial:
    """Store an already checked slide file under a random name and attach it to ``proposal``."""
    storage_key = files.new_storage_key()
    path = files.stored_path(storage_key)
    upload.stream.seek(0)
    # Exclusive create: a key collision fails loudly instead of overwriting someone's slides.
    with path.open("xb") as target:
        db.session.info.setdefault(WRITTEN_FILES, []).append(storage_key)
        shutil.copyfileobj(upload.stream, target, COPY_CHUNK)
        size = target.tell()
    material = TalkMaterial(
        conference_id=proposal.conference_id,
        proposal_id=proposal.id,
        kind=MaterialKind.SLIDES,
        title=title.strip(),
        storage_key=storage_key,
        filename=files.display_filename(upload.filename, slide_format),
        content_type=slide_format.content_type,
        size_bytes=size,
        added_by_id=added_by.id,
    )
    db.session.add(material)
    db.session.flush()
    return material


class LinkAlreadyAttached(Exception):
    """The talk already has this link as this kind (a double submit, or a co-speaker's)."""


def add_link(
    proposal: Proposal, kind: MaterialKind, url: str, added_by: User, title: str = ""
) -> TalkMaterial:
    """Attach a recording or another link (an already checked http(s) address) to ``proposal``;
    raises LinkAlreadyAttached when the talk has it already."""
    if kind is MaterialKind.SLIDES:
        raise ValueError("slides are uploaded, not linked")
    # Lock the talk so that two submits at once cannot both find the link missing.
    db.session.execute(select(Proposal.id).where(Proposal.id == proposal.id).with_for_update())
    existing = db.session.scalar(
        select(TalkMaterial.id).where(
            TalkMaterial.proposal_id == proposal.id,
            TalkMaterial.kind == kind,
            TalkMaterial.url == url,
        )
    )
    if existing is not None:
        raise LinkAlreadyAttached
    material = TalkMaterial(
        conference_id=proposal.conference_id,
        proposal_id=proposal.id,
        kind=kind,
        title=title.strip(),
        url=url,
        added_by_id=added_by.id,
    )
    db.session.add(material)
    db.session.flush()
    if kind is MaterialKind.RECORDING:
        _refresh_archive(proposal)
    return material


def remove_material(material: TalkMaterial) -> None:
    """Detach ``material``; an uploaded file is deleted once the removal is committed."""
    proposal = material.proposal
    if material.storage_key:
        db.session.info.setdefault(FILES_TO_DELETE, []).append(material.storage_key)
    was_recording = material.kind is MaterialKind.RECORDING
    db.session.delete(material)
    db.session.flush()
    if was_recording:
        _refresh_archive(proposal)
